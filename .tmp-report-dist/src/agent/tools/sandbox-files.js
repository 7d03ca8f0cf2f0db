import { posix } from 'node:path';
/**
 * Write through the sandbox; if that fails (a sandbox whose writeFile does not create parent
 * directories), create them with `mkdir -p` and try once more.
 */
export async function writeFileWithParents(ctx, path, content) {
    try {
        await ctx.sandbox.writeFile(path, content);
        return;
    }
    catch (firstError) {
        const parent = posix.dirname(path);
        if (parent === '.' || parent === '/')
            throw firstError;
        const made = await ctx.sandbox.exec(['mkdir', '-p', '--', parent], {
            timeoutMs: ctx.commandTimeoutMs,
            ...(ctx.signal !== undefined && { signal: ctx.signal }),
        });
        if (made.exitCode !== 0)
            throw firstError;
    }
    await ctx.sandbox.writeFile(path, content);
}
/** Delete a file through the sandbox's own shell tools (the Sandbox interface has no unlink). */
export async function deleteFile(ctx, path) {
    const result = await ctx.sandbox.exec(['rm', '-f', '--', path], {
        timeoutMs: ctx.commandTimeoutMs,
        maxOutputBytes: 4096,
        ...(ctx.signal !== undefined && { signal: ctx.signal }),
    });
    if (result.exitCode !== 0) {
        throw new Error(`rm ${path} failed (exit ${result.exitCode ?? 'none'}): ${result.stderr.trim()}`);
    }
}
//# sourceMappingURL=sandbox-files.js.map