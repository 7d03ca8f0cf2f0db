import type Dockerode from 'dockerode';
import { statusCode } from './image-util.js';
import { SandboxUnavailableError } from './types.js';

/** How long an engine may take to answer a ping before it counts as gone. */
const PING_TIMEOUT_MS = 10_000;

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** Whether the engine answers a ping in time; the error when it does not. */
export async function pingEngine(docker: Dockerode): Promise<Error | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${PING_TIMEOUT_MS / 1000}s`)),
          PING_TIMEOUT_MS,
        );
      }),
    ]);
    return null;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * After an engine call about a container failed: was it the engine (it does not answer), the
 * container (gone or stopped), or neither? The first two become SandboxUnavailableError; otherwise
 * the original error is the answer (a failure of that one command, e.g. a refused working folder).
 */
export async function diagnoseFailure(
  docker: Dockerode,
  container: Dockerode.Container | null,
  error: unknown,
): Promise<unknown> {
  if (error instanceof SandboxUnavailableError) return error;
  const down = await pingEngine(docker);
  if (down) {
    return new SandboxUnavailableError(
      `the Docker engine does not answer (${firstLine(down)}); the call failed with: ${firstLine(error)}`,
      true,
    );
  }
  if (!container) return error;
  try {
    const info = await container.inspect();
    if (!info.State.Running)
      return new SandboxUnavailableError(
        `the sandbox container is not running (${info.State.Status})`,
        false,
      );
  } catch (inspectError) {
    if (statusCode(inspectError) === 404)
      return new SandboxUnavailableError('the sandbox container is gone (removed by someone else)', false);
    return new SandboxUnavailableError(
      `cannot inspect the sandbox container: ${firstLine(inspectError)}`,
      false,
    );
  }
  return error;
}
