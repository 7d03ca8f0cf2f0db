import { ConfigError } from '../config/index.js';
import { ImageNotFoundError, type SandboxProvider } from '../sandbox/core.js';
import type { LoadedSuite, LoadedTask, Sample } from '../tasks/index.js';
import type { ProgressReporter } from './progress.js';

export class ImageUnavailableError extends Error {
  override name = 'ImageUnavailableError';
}

/** The image of every task, ensured once per distinct image before any sample starts. */
export interface PreparedImages {
  /** The tag to run `sample` in; throws ImageUnavailableError when its image could not be had. */
  tagFor(sample: Sample): string;
  ready(sample: Sample): boolean;
}

/** An image named in a file that the engine does not have is bad input: the file and field that named it. */
function unknownImage(suite: LoadedSuite, task: LoadedTask, error: ImageNotFoundError): ConfigError {
  const fromTask = typeof task.spec.image === 'string';
  return new ConfigError({
    file: fromTask ? task.file : suite.file,
    field: fromTask ? 'image' : 'sandbox.image',
    detail: error.message,
  });
}

/**
 * Ensures (builds if missing) each distinct image once. An image named in a task or suite that
 * the engine lacks is a ConfigError (exit 2). A task image that fails to build fails that task's
 * samples, not the run; if no image can be had at all (no engine, say), the first error is thrown.
 */
export async function prepareImages(
  suite: LoadedSuite,
  sandboxes: SandboxProvider,
  progress: ProgressReporter,
): Promise<PreparedImages> {
  const images = new Map<string, { tag: string } | { error: Error }>();
  // A task's image object is the same for all its samples: its key is serialised once, not per sample.
  const keys = new WeakMap<LoadedTask, string>();
  const keyOf = (task: LoadedTask) => {
    let key = keys.get(task);
    if (key === undefined) {
      key = JSON.stringify(task.image);
      keys.set(task, key);
    }
    return key;
  };
  for (const task of suite.tasks) {
    const key = keyOf(task);
    if (images.has(key)) continue;
    try {
      images.set(key, { tag: await sandboxes.ensureImage(task.image, (line) => progress.info(line)) });
    } catch (error) {
      if (error instanceof ImageNotFoundError) throw unknownImage(suite, task, error);
      const failure = error instanceof Error ? error : new Error(String(error));
      images.set(key, { error: failure });
      progress.info(`image for task ${task.id} is unavailable; its samples will fail: ${failure.message}`);
    }
  }
  const outcomes = [...images.values()];
  const firstFailure = outcomes.find((o): o is { error: Error } => 'error' in o);
  if (firstFailure && outcomes.every((o) => 'error' in o)) throw firstFailure.error;
  return {
    tagFor(sample) {
      const image = images.get(keyOf(sample.task));
      if (!image || 'error' in image) {
        throw new ImageUnavailableError(
          `image unavailable: ${image && 'error' in image ? image.error.message : 'unknown'}`,
        );
      }
      return image.tag;
    },
    ready(sample) {
      return 'tag' in (images.get(keyOf(sample.task)) ?? {});
    },
  };
}
