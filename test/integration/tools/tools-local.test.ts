import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runToolCalls, toolCallsOf } from '../../../src/agent/tool-calls.js';
import { dispatchToolCall, type ToolContext } from '../../../src/agent/tools/index.js';
import { TOOL_NAMES } from '../../../src/config/schema.js';
import { LocalSandboxProvider } from '../../../src/sandbox/local.js';

const provider = new LocalSandboxProvider();
let ctx: ToolContext;

beforeEach(async () => {
  const sandbox = await provider.create({
    image: 'ignored',
    workdir: '/workspace',
    files: [{ path: 'src/app.py', content: 'def greet():\n    return "hello"\n\nprint(greet())\n' }],
    labels: { 'turnbench.run': 'tools-test' },
    limits: { memoryMb: 256, cpus: 1, pids: 64 },
    network: false,
  });
  ctx = { sandbox, commandTimeoutMs: 10_000, maxOutputBytes: 2_000, state: { plan: [] } };
});

afterEach(async () => {
  await ctx.sandbox.destroy();
});

const call = (name: string, args: unknown) => dispatchToolCall(name, JSON.stringify(args), ctx, TOOL_NAMES);
const onDisk = (path: string) => readFile(`${ctx.sandbox.workdir}/${path}`, 'utf8');

describe('tools over the local sandbox', () => {
  it('shell runs bash -lc and reports exit code, wall time and output', async () => {
    const outcome = await call('shell', { command: ['bash', '-lc', 'echo hi; cat src/app.py | wc -l'] });
    expect(outcome).toMatchObject({ ok: true, error: null, exitCode: 0, truncated: false });
    expect(outcome.output).toMatch(/^Exit code: 0\nWall time: \d+\.\d seconds\nOutput:\nhi\n4\n$/);
  });

  it('shell honours workdir and reports a non-zero exit as nonzero_exit', async () => {
    const outcome = await call('shell', { command: ['bash', '-lc', 'pwd; ls; exit 4'], workdir: 'src' });
    expect(outcome).toMatchObject({ ok: false, error: 'nonzero_exit', exitCode: 4 });
    expect(outcome.output).toContain(`Exit code: 4\n`);
    expect(outcome.output).toContain(`${ctx.sandbox.workdir}/src\napp.py\n`);
  });

  it('shell times out, kills the command and says so', async () => {
    const outcome = await call('shell', {
      command: ['bash', '-lc', 'echo before; sleep 30'],
      timeout_ms: 300,
    });
    expect(outcome).toMatchObject({ ok: false, error: 'timeout', exitCode: null });
    expect(outcome.output).toContain('Exit code: none (command timed out after 300 ms and was killed)');
    expect(outcome.output).toContain('before');
  });

  it('shell caps the output at maxOutputBytes, keeping head and tail', async () => {
    const outcome = await call('shell', { command: ['bash', '-lc', 'seq 1 100000'] });
    expect(outcome).toMatchObject({ ok: true, truncated: true });
    const body = outcome.output.split('Output:\n')[1] ?? '';
    expect(body.startsWith('1\n2\n3\n')).toBe(true);
    expect(body.endsWith('99999\n100000\n')).toBe(true);
    expect(body).toMatch(/\[\.\.\. \d+ bytes truncated \.\.\.\]/);
    expect(Buffer.byteLength(body)).toBeLessThan(ctx.maxOutputBytes + 100);
  });

  it('shell reports a missing working directory as a sandbox error', async () => {
    const outcome = await call('shell', { command: ['ls'], workdir: 'no/such/dir' });
    expect(outcome).toMatchObject({ ok: false, error: 'sandbox_error' });
    expect(outcome.output).toBe('shell failed: working directory does not exist: no/such/dir');
  });

  it('write_file creates parent directories; read_file returns numbered lines', async () => {
    const written = await call('write_file', { path: 'notes/deep/todo.txt', content: 'a\nb\nc\n' });
    expect(written).toMatchObject({ ok: true, output: 'Wrote 6 bytes to notes/deep/todo.txt' });
    expect(await onDisk('notes/deep/todo.txt')).toBe('a\nb\nc\n');
    const read = await call('read_file', { path: 'notes/deep/todo.txt', offset: 2 });
    expect(read).toMatchObject({ ok: true, output: 'L2: b\nL3: c' });
  });

  it('read_file caps long files and reports missing ones', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `row ${i + 1}`).join('\n');
    await ctx.sandbox.writeFile('big.txt', lines);
    const read = await call('read_file', { path: 'big.txt' });
    expect(read.truncated).toBe(true);
    expect(Buffer.byteLength(read.output)).toBeLessThan(ctx.maxOutputBytes + 200);
    expect(read.output).toMatch(/call read_file with offset=\d+ to continue\]$/);
    const missing = await call('read_file', { path: 'nope.txt' });
    expect(missing).toMatchObject({ ok: false, error: 'sandbox_error' });
    expect(missing.output).toMatch(/^read_file: cannot read nope.txt: ENOENT/);
  });

  it('apply_patch adds, updates, moves and deletes files', async () => {
    await ctx.sandbox.writeFile('old.txt', 'obsolete\n');
    await ctx.sandbox.writeFile('rename-me.txt', 'x = 1\n');
    const input = [
      '*** Begin Patch',
      '*** Add File: docs/readme.md',
      '+# Title',
      '*** Update File: src/app.py',
      '@@ def greet():',
      '-    return "hello"',
      '+    return "hello, world"',
      '*** Update File: rename-me.txt',
      '*** Move to: lib/renamed.txt',
      '@@',
      '-x = 1',
      '+x = 2',
      '*** Delete File: old.txt',
      '*** End Patch',
    ].join('\n');
    const outcome = await call('apply_patch', { input });
    expect(outcome).toMatchObject({ ok: true, error: null });
    expect(outcome.output).toBe(
      'Success. Updated the following files:\nA docs/readme.md\nM src/app.py\nM lib/renamed.txt\nD old.txt',
    );
    expect(await onDisk('docs/readme.md')).toBe('# Title\n');
    expect(await onDisk('src/app.py')).toBe('def greet():\n    return "hello, world"\n\nprint(greet())\n');
    expect(await onDisk('lib/renamed.txt')).toBe('x = 2\n');
    expect(existsSync(`${ctx.sandbox.workdir}/old.txt`)).toBe(false);
    expect(existsSync(`${ctx.sandbox.workdir}/rename-me.txt`)).toBe(false);
    const run = await call('shell', { command: ['cat', 'src/app.py'] });
    expect(run.output).toContain('hello, world');
  });

  it('apply_patch writes nothing when any hunk fails', async () => {
    const input = [
      '*** Begin Patch',
      '*** Add File: new.txt',
      '+fresh',
      '*** Update File: src/app.py',
      '@@ def greet():',
      '-    return "goodbye"',
      '+    return "x"',
      '*** End Patch',
    ].join('\n');
    const outcome = await call('apply_patch', { input });
    expect(outcome).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(outcome.output).toContain("hunk 1 (@@ def greet():) of 'src/app.py' did not apply");
    expect(outcome.output).toContain('Nothing was written.');
    expect(existsSync(`${ctx.sandbox.workdir}/new.txt`)).toBe(false);
    expect(await onDisk('src/app.py')).toContain('return "hello"');
  });

  it('apply_patch rejects a malformed patch and a missing file', async () => {
    const malformed = await call('apply_patch', { input: 'diff --git a/x b/x' });
    expect(malformed.output).toContain("the first line of the patch must be '*** Begin Patch'");
    const missing = await call('apply_patch', {
      input: '*** Begin Patch\n*** Update File: ghost.txt\n-a\n+b\n*** End Patch',
    });
    expect(missing).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(missing.output).toContain("cannot update 'ghost.txt': the file does not exist");
  });

  it('update_plan stores the plan in the context state', async () => {
    const plan = [
      { step: 'read the code', status: 'completed' },
      { step: 'fix the bug', status: 'in_progress' },
      { step: 'run the tests', status: 'pending' },
    ];
    const outcome = await call('update_plan', { explanation: 'starting', plan });
    expect(outcome).toMatchObject({ ok: true, output: 'Plan updated' });
    expect(ctx.state.plan).toEqual(plan);
  });

  it('a freeform custom_tool_call runs with its input and is answered with a custom_tool_call_output', async () => {
    const patch = '*** Begin Patch\n*** Add File: notes.txt\n+from a custom call\n*** End Patch\n';
    const calls = toolCallsOf([
      { type: 'custom_tool_call', id: 'ctc_1', call_id: 'call_c', name: 'apply_patch', input: patch },
      {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_f',
        name: 'read_file',
        arguments: '{"path":"src/app.py"}',
      },
    ]);
    expect(calls.map((c) => [c.kind, c.call_id])).toEqual([
      ['custom', 'call_c'],
      ['function', 'call_f'],
    ]);
    const outputs = await runToolCalls(calls, ctx, TOOL_NAMES, () => {});
    expect(outputs.map((o) => ('call_id' in o ? [o.type, o.call_id] : []))).toEqual([
      ['custom_tool_call_output', 'call_c'],
      ['function_call_output', 'call_f'],
    ]);
    expect(await onDisk('notes.txt')).toBe('from a custom call\n');
  });
});
