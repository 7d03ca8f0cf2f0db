import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/index.js';
/**
 * The image a task runs in: its own `image` (a name, or a Dockerfile and build context relative to
 * the task folder), else the suite's `sandbox.image`, else the offline base image.
 */
export async function resolveImage(ref, suiteImage, ctx) {
    if (ref === undefined)
        return suiteImage ? { kind: 'named', name: suiteImage } : { kind: 'base' };
    if (typeof ref === 'string')
        return { kind: 'named', name: ref };
    const where = { file: ctx.taskFile, ...(ctx.line !== undefined ? { line: ctx.line } : {}) };
    const dockerfile = path.resolve(ctx.taskDir, ref.dockerfile);
    const contextDir = path.resolve(ctx.taskDir, ref.context);
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
//# sourceMappingURL=image.js.map