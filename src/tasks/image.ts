import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type ImageRef } from '../config/index.js';
import { confinementProblem } from './confine.js';
import type { TaskImage } from './types.js';

export interface ImageContext {
  taskFile: string;
  taskDir: string;
  line?: number;
}

/**
 * The image a task runs in: its own `image` (a name, or a Dockerfile and build context relative to
 * the task folder), else the suite's `sandbox.image`, else the offline base image.
 */
export async function resolveImage(
  ref: ImageRef | undefined,
  suiteImage: string | undefined,
  ctx: ImageContext,
): Promise<TaskImage> {
  if (ref === undefined) return suiteImage ? { kind: 'named', name: suiteImage } : { kind: 'base' };
  if (typeof ref === 'string') return { kind: 'named', name: ref };

  const where = { file: ctx.taskFile, ...(ctx.line !== undefined ? { line: ctx.line } : {}) };
  const dockerfile = path.resolve(ctx.taskDir, ref.dockerfile);
  const contextDir = path.resolve(ctx.taskDir, ref.context);
  // Like files.from: a task builds from its own folder, never from what lies around it.
  const folder = 'the task folder';
  const contextProblem = await confinementProblem(contextDir, ref.context, [ctx.taskDir], folder);
  if (contextProblem) throw new ConfigError({ ...where, field: 'image.context', detail: contextProblem });
  const dockerfileProblem = await confinementProblem(dockerfile, ref.dockerfile, [ctx.taskDir], folder);
  if (dockerfileProblem)
    throw new ConfigError({ ...where, field: 'image.dockerfile', detail: dockerfileProblem });
  const dockerfileInfo = await stat(dockerfile).catch(() => undefined);
  if (!dockerfileInfo?.isFile()) {
    throw new ConfigError({
      ...where,
      field: 'image.dockerfile',
      detail: `no such file "${ref.dockerfile}"`,
    });
  }
  const contextInfo = await stat(contextDir).catch(() => undefined);
  if (!contextInfo?.isDirectory()) {
    throw new ConfigError({ ...where, field: 'image.context', detail: `no such folder "${ref.context}"` });
  }
  return { kind: 'dockerfile', dockerfile, contextDir };
}
