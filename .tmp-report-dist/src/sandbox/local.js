/**
 * A sandbox that runs commands as ordinary host processes in a fresh temporary directory.
 *
 * NOT ISOLATED: commands run as the current user with full access to the host's files and network.
 * It exists for development and fast tests; real runs use the Docker sandbox. Images and limits in
 * the spec are ignored, and the spec's `workdir` is replaced by the temporary directory.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { HeadTailCollector, renderCapped, splitBudget } from './local-output.js';
/** Used when the caller sets no cap; large enough to be effectively uncapped for tool output. */
const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** How long to wait for the output pipes to close after the process itself exited. */
const PIPE_DRAIN_GRACE_MS = 2_000;
/** Host variables passed through; everything else (API keys included) stays out of the sandbox. */
const PASSTHROUGH_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ'];
export class LocalSandboxProvider {
    kind = 'local';
    live = new Map();
    async create(spec, signal) {
        signal?.throwIfAborted();
        const dir = await mkdtemp(resolve(tmpdir(), 'turnbench-'));
        const sandbox = new LocalSandbox(dir, () => this.live.delete(sandbox));
        this.live.set(sandbox, { ...spec.labels });
        try {
            for (const file of spec.files) {
                const target = sandbox.resolvePath(file.path);
                await mkdir(dirname(target), { recursive: true });
                await writeFile(target, file.content);
                if (file.mode !== undefined)
                    await chmod(target, file.mode);
            }
            signal?.throwIfAborted();
        }
        catch (err) {
            await sandbox.destroy();
            throw err;
        }
        return sandbox;
    }
    async ensureImage(_ref) {
        return 'local';
    }
    /** Destroys the live sandboxes created by this provider whose labels include all of `labels`. */
    async removeByLabels(labels) {
        const matching = [...this.live].filter(([, own]) => Object.entries(labels).every(([key, value]) => own[key] === value));
        await Promise.all(matching.map(([sandbox]) => sandbox.destroy()));
        return matching.length;
    }
}
class LocalSandbox {
    workdir;
    onDestroy;
    id = randomUUID();
    running = new Set();
    destroyed = null;
    constructor(workdir, onDestroy) {
        this.workdir = workdir;
        this.onDestroy = onDestroy;
    }
    resolvePath(path) {
        return resolve(this.workdir, path);
    }
    async exec(argv, opts) {
        const [file, ...args] = argv;
        if (file === undefined)
            throw new Error('exec: empty argv');
        if (this.destroyed)
            throw new Error('exec: sandbox was destroyed');
        opts.signal?.throwIfAborted();
        const cwd = this.resolvePath(opts.cwd ?? '.');
        const cwdStat = await stat(cwd).catch(() => null);
        if (!cwdStat?.isDirectory())
            throw new Error(`working directory does not exist: ${opts.cwd ?? cwd}`);
        return this.run(file, args, cwd, opts);
    }
    run(file, args, cwd, opts) {
        const maxBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
        const started = performance.now();
        const child = spawn(file, args, {
            cwd,
            env: this.environment(opts.env),
            detached: true,
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        this.running.add(child);
        const stdout = new HeadTailCollector(maxBytes);
        const stderr = new HeadTailCollector(maxBytes);
        child.stdout?.on('data', (chunk) => stdout.push(chunk));
        child.stderr?.on('data', (chunk) => stderr.push(chunk));
        return new Promise((resolvePromise, reject) => {
            let timedOut = false;
            let exitCode = null;
            let settled = false;
            let drainTimer;
            const killGroup = () => {
                if (child.pid === undefined)
                    return;
                try {
                    process.kill(-child.pid, 'SIGKILL');
                }
                catch {
                    // Already gone.
                }
            };
            const timer = setTimeout(() => {
                timedOut = true;
                killGroup();
            }, opts.timeoutMs);
            const onAbort = () => {
                killGroup();
                finish(() => reject(opts.signal?.reason ?? new Error('aborted')));
            };
            opts.signal?.addEventListener('abort', onAbort, { once: true });
            const finish = (settle) => {
                if (settled)
                    return;
                settled = true;
                clearTimeout(timer);
                clearTimeout(drainTimer);
                opts.signal?.removeEventListener('abort', onAbort);
                this.running.delete(child);
                settle();
            };
            const done = () => finish(() => {
                const [outBudget, errBudget] = splitBudget(stdout.totalBytes, stderr.totalBytes, maxBytes);
                const out = renderCapped(stdout, outBudget);
                const err = renderCapped(stderr, errBudget);
                resolvePromise({
                    exitCode: timedOut ? null : exitCode,
                    stdout: out.text,
                    stderr: err.text,
                    timedOut,
                    truncated: out.truncated || err.truncated,
                    durationMs: Math.round(performance.now() - started),
                });
            });
            child.on('error', (error) => {
                if (child.pid === undefined && (error.code === 'ENOENT' || error.code === 'EACCES')) {
                    // Like a shell: a missing (127) or non-executable (126) program is a failed command with a
                    // message, not a sandbox failure.
                    const missing = error.code === 'ENOENT';
                    stderr.push(Buffer.from(`${file}: ${missing ? 'command not found' : 'permission denied'}\n`));
                    exitCode = missing ? 127 : 126;
                    done();
                    return;
                }
                killGroup();
                finish(() => reject(error));
            });
            child.on('exit', (code, signal) => {
                exitCode = code ?? (signal ? 128 + signalNumber(signal) : null);
                // Background children would keep the pipes open and outlive the command: end them. (Unlike
                // `docker exec`, where they survive; here they would be stray host processes.)
                killGroup();
                drainTimer = setTimeout(() => {
                    child.stdout?.destroy();
                    child.stderr?.destroy();
                    done();
                }, PIPE_DRAIN_GRACE_MS);
            });
            child.on('close', done);
        });
    }
    environment(extra) {
        const env = { HOME: this.workdir, TERM: 'dumb' };
        for (const key of PASSTHROUGH_ENV) {
            const value = process.env[key];
            if (value !== undefined)
                env[key] = value;
        }
        return { ...env, ...extra };
    }
    async readFile(path) {
        return readFile(this.resolvePath(path), 'utf8');
    }
    async writeFile(path, content) {
        const target = this.resolvePath(path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
    }
    destroy() {
        this.destroyed ??= (async () => {
            for (const child of this.running) {
                if (child.pid !== undefined) {
                    try {
                        process.kill(-child.pid, 'SIGKILL');
                    }
                    catch {
                        // Already gone.
                    }
                }
            }
            this.onDestroy();
            await rm(this.workdir, { recursive: true, force: true, maxRetries: 3 });
        })();
        return this.destroyed;
    }
}
function signalNumber(signal) {
    return constants.signals[signal] ?? 0;
}
//# sourceMappingURL=local.js.map