import type {
  ExecOptions,
  ExecResult,
  Sandbox,
  SandboxFile,
  SandboxProcess,
} from '../../../src/sandbox/types.js';

/** An in-memory Sandbox for unit tests: files in a map, exec answered by a callback. */
export class FakeSandbox implements Sandbox {
  readonly id = 'fake';
  readonly workdir = '/workspace';
  readonly files = new Map<string, string>();
  readonly execCalls: Array<{ argv: string[]; opts: ExecOptions }> = [];

  constructor(private readonly onExec: (argv: string[], opts: ExecOptions) => ExecResult = ok('')) {}

  async exec(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    this.execCalls.push({ argv, opts });
    return this.onExec(argv, opts);
  }
  async spawn(argv: string[]): Promise<SandboxProcess> {
    throw new Error(`FakeSandbox cannot start processes (${argv[0]})`);
  }
  async readFile(path: string): Promise<string> {
    const content = this.files.get(path);
    if (content === undefined) throw new Error(`ENOENT: no such file: ${path}`);
    return content;
  }
  async writeFile(path: string, content: string): Promise<void> {
    this.files.set(path, content);
  }
  async putFiles(files: SandboxFile[]): Promise<void> {
    for (const f of files)
      this.files.set(f.path, typeof f.content === 'string' ? f.content : f.content.toString('utf8'));
  }
  async endProcesses(): Promise<void> {}
  async destroy(): Promise<void> {}
}

export function ok(stdout: string, exitCode = 0): () => ExecResult {
  return () => ({ exitCode, stdout, stderr: '', timedOut: false, truncated: false, durationMs: 5 });
}
