import { describe, expect, it } from 'vitest';
import { dispatchToolCall, type ToolContext, toolDefinitions } from '../../../src/agent/tools/index.js';
import { TOOL_NAMES, type ToolName } from '../../../src/config/schema.js';
import { FakeSandbox, ok } from './fake-sandbox.js';

const ALL: readonly ToolName[] = TOOL_NAMES;

function context(sandbox = new FakeSandbox()): ToolContext {
  return { sandbox, commandTimeoutMs: 5_000, maxOutputBytes: 1_000, state: { plan: [] } };
}

describe('dispatchToolCall error paths', () => {
  it('answers bad JSON with an invalid_arguments outcome', async () => {
    const outcome = await dispatchToolCall('shell', '{"command": [', context(), ALL);
    expect(outcome).toMatchObject({ ok: false, error: 'invalid_arguments', exitCode: null });
    expect(outcome.output).toMatch(/^invalid arguments for shell: not valid JSON \(/);
  });

  it('names the field and the expected type on a schema error', async () => {
    const outcome = await dispatchToolCall('shell', '{"command": "ls -la"}', context(), ALL);
    expect(outcome).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(outcome.output).toBe('invalid arguments for shell: command: expected array, received string');
  });

  it('reports every bad field, with array indices in the path', async () => {
    const args = JSON.stringify({ plan: [{ step: 'a', status: 'done' }], extra: 1 });
    const outcome = await dispatchToolCall('update_plan', args, context(), ALL);
    expect(outcome.error).toBe('invalid_arguments');
    expect(outcome.output).toMatch(/^invalid arguments for update_plan: /);
    expect(outcome.output).toContain('plan[0].status:');
    expect(outcome.output).toContain('Unrecognized key: "extra"');
  });

  it('reports missing required fields and non-object arguments', async () => {
    const missing = await dispatchToolCall('write_file', '{"path": "a.txt"}', context(), ALL);
    expect(missing.output).toBe(
      'invalid arguments for write_file: content: expected string, received undefined',
    );
    const array = await dispatchToolCall('read_file', '[1]', context(), ALL);
    expect(array.output).toBe('invalid arguments for read_file: expected object, received array');
    const empty = await dispatchToolCall('read_file', '', context(), ALL);
    expect(empty.output).toBe('invalid arguments for read_file: path: expected string, received undefined');
  });

  it('rejects more than one in_progress step', async () => {
    const plan = [
      { step: 'a', status: 'in_progress' },
      { step: 'b', status: 'in_progress' },
    ];
    const ctx = context();
    const outcome = await dispatchToolCall('update_plan', JSON.stringify({ plan }), ctx, ALL);
    expect(outcome.output).toBe(
      'invalid arguments for update_plan: plan: at most one step can be in_progress',
    );
    expect(ctx.state.plan).toEqual([]);
  });

  it('answers an unknown tool with unknown_tool and the available tools', async () => {
    const outcome = await dispatchToolCall('browse', '{}', context(), ['shell', 'read_file']);
    expect(outcome).toMatchObject({ ok: false, error: 'unknown_tool' });
    expect(outcome.output).toBe(
      'unknown tool "browse": it does not exist; available tools: shell, read_file',
    );
  });

  it('answers a known tool that is not enabled with unknown_tool, and does not run it', async () => {
    const sandbox = new FakeSandbox();
    const outcome = await dispatchToolCall('shell', '{"command":["ls"]}', context(sandbox), ['read_file']);
    expect(outcome).toMatchObject({ ok: false, error: 'unknown_tool' });
    expect(outcome.output).toContain('"shell": it is not enabled for this task; available tools: read_file');
    expect(sandbox.execCalls).toHaveLength(0);
  });

  it('does not treat inherited object properties as tools', async () => {
    const outcome = await dispatchToolCall('toString', '{}', context(), ALL);
    expect(outcome.error).toBe('unknown_tool');
  });

  it('turns a throwing sandbox into a sandbox_error outcome', async () => {
    const sandbox = new FakeSandbox(() => {
      throw new Error('container is gone');
    });
    const outcome = await dispatchToolCall('shell', '{"command":["ls"]}', context(sandbox), ALL);
    expect(outcome).toMatchObject({
      ok: false,
      error: 'sandbox_error',
      output: 'shell failed: container is gone',
    });
  });

  it('treats null optional arguments as absent', async () => {
    const sandbox = new FakeSandbox(ok('hi\n'));
    const outcome = await dispatchToolCall(
      'shell',
      '{"command":["echo","hi"],"workdir":null,"timeout_ms":null}',
      context(sandbox),
      ALL,
    );
    expect(outcome).toMatchObject({ ok: true, error: null, exitCode: 0 });
    expect(sandbox.execCalls[0]?.opts.cwd).toBeUndefined();
  });
});

describe('shell', () => {
  it('caps timeout_ms at the task limit and passes the output cap and workdir', async () => {
    const sandbox = new FakeSandbox(ok('x'));
    await dispatchToolCall(
      'shell',
      '{"command":["true"],"timeout_ms":999999,"workdir":"sub"}',
      context(sandbox),
      ALL,
    );
    await dispatchToolCall('shell', '{"command":["true"],"timeout_ms":100}', context(sandbox), ALL);
    expect(sandbox.execCalls.map((c) => c.opts.timeoutMs)).toEqual([5_000, 100]);
    expect(sandbox.execCalls[0]?.opts).toMatchObject({ maxOutputBytes: 1_000, cwd: 'sub' });
  });

  it('formats output like Codex and marks a non-zero exit', async () => {
    const sandbox = new FakeSandbox(() => ({
      exitCode: 2,
      stdout: 'out',
      stderr: 'err\n',
      timedOut: false,
      truncated: false,
      durationMs: 1234,
    }));
    const outcome = await dispatchToolCall('shell', '{"command":["x"]}', context(sandbox), ALL);
    expect(outcome).toMatchObject({ ok: false, error: 'nonzero_exit', exitCode: 2 });
    expect(outcome.output).toBe('Exit code: 2\nWall time: 1.2 seconds\nOutput:\nout\nerr\n');
  });
});

describe('toolDefinitions', () => {
  it('returns definitions in the order asked for', () => {
    const order: ToolName[] = ['update_plan', 'shell', 'read_file'];
    expect(toolDefinitions(order).map((d) => d.name)).toEqual(order);
  });

  it('describes every tool with a closed, non-strict object schema', () => {
    for (const def of toolDefinitions(ALL)) {
      expect(def.type).toBe('function');
      expect(def.strict).toBe(false);
      expect(def.description?.length).toBeGreaterThan(20);
      expect(def.parameters).toMatchObject({ type: 'object', additionalProperties: false });
      expect(def.parameters).not.toHaveProperty('$schema');
      expect(JSON.stringify(def.parameters)).not.toContain(String(Number.MAX_SAFE_INTEGER));
    }
  });

  it('matches the Codex shell argument shape', () => {
    const [shell] = toolDefinitions(['shell']);
    expect(shell?.parameters).toMatchObject({
      required: ['command'],
      properties: {
        command: { type: 'array', items: { type: 'string' } },
        workdir: { type: 'string' },
        timeout_ms: { type: 'integer' },
      },
    });
  });

  it('lists as required exactly the fields the validator requires', async () => {
    for (const def of toolDefinitions(ALL)) {
      const required = (def.parameters?.required as string[] | undefined) ?? [];
      const properties = Object.keys((def.parameters?.properties as Record<string, unknown>) ?? {});
      for (const field of properties) {
        const outcome = await dispatchToolCall(def.name, '{}', context(), ALL);
        const complaint = `${field}: expected`;
        expect(outcome.output.includes(complaint), `${def.name}.${field}`).toBe(required.includes(field));
      }
    }
  });
});
