import OpenAI from 'openai';
import type {
  ResponseFunctionToolCall,
  ResponseInputItem,
  ResponseOutputItem,
} from 'openai/resources/responses/responses';
import { afterEach, describe, expect, test } from 'vitest';
import type { SimServer } from '../../../src/sim/index.js';
import { appendTurn, startSim } from './helpers.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const calls = (output: ResponseOutputItem[]) =>
  output.filter((o): o is ResponseFunctionToolCall => o.type === 'function_call');

/** Drive a conversation to its final message, answering tool calls with `answer`. */
async function drive(task: string, answer: (call: ResponseFunctionToolCall) => string, maxTurns = 20) {
  if (!sim) throw new Error('no sim');
  const client = clientFor(sim);
  const history: ResponseInputItem[] = [{ role: 'user', content: task }];
  const turns: ResponseOutputItem[][] = [];
  for (let t = 0; t < maxTurns; t++) {
    const r = await client.responses.create({ model: 'sim-1', input: history, store: false });
    turns.push(r.output);
    if (calls(r.output).length === 0) return { turns, final: r.output_text };
    for (const item of r.output) {
      history.push(item as ResponseInputItem);
      if (item.type === 'function_call') {
        history.push({ type: 'function_call_output', call_id: item.call_id, output: answer(item) });
      }
    }
  }
  throw new Error('no final message');
}

function clientFor(server: SimServer): OpenAI {
  return new OpenAI({ baseURL: server.url, apiKey: 'k', maxRetries: 0 });
}

describe('sim scripts', () => {
  test('parallel steps emit several function calls in one response', async () => {
    const s = await startSim();
    sim = s.sim;
    s.sim.scripts.register('parallel task', {
      steps: [
        {
          parallel: [
            { tool: 'read_file', args: { path: 'a.txt' } },
            { tool: 'read_file', args: { path: 'b.txt' } },
          ],
        },
      ],
      final: 'read both',
      reasoning_tokens: 0,
    });
    const { turns, final } = await drive('parallel task', () => 'content');
    expect(calls(turns[0] ?? []).map((c) => JSON.parse(c.arguments).path)).toEqual(['a.txt', 'b.txt']);
    const ids = calls(turns[0] ?? []).map((c) => c.call_id);
    expect(new Set(ids).size).toBe(2);
    expect(final).toBe('read both');
  });

  test('conditions on the previous tool output choose the branch; repeat expands {{i}}', async () => {
    const s = await startSim();
    sim = s.sim;
    s.sim.scripts.register('fix the script', {
      steps: [
        { shell: 'python3 run.py' },
        { shell: 'sed -i s/bug/fix/ run.py', when: { output_contains: 'Traceback' } },
        { shell: 'echo all good', when: { output_not_contains: 'Traceback' } },
        { shell: 'echo step {{i}} > f{{i}}.txt', repeat: 3 },
      ],
      final: 'fixed',
      reasoning_tokens: 0,
    });
    const commands = (turns: ResponseOutputItem[][]) =>
      turns.flatMap((t) =>
        calls(t).map((c) => (JSON.parse(c.arguments) as { command: string[] }).command[2]),
      );

    const failing = await drive('fix the script', (c) =>
      c.arguments.includes('python3') ? 'Traceback (most recent call last)' : 'ok',
    );
    expect(commands(failing.turns)).toEqual([
      'python3 run.py',
      'sed -i s/bug/fix/ run.py',
      // the output of sed ('ok') has no Traceback, so the next conditional step runs too
      'echo all good',
      'echo step 1 > f1.txt',
      'echo step 2 > f2.txt',
      'echo step 3 > f3.txt',
    ]);
    const passing = await drive('fix the script', () => 'passed');
    expect(commands(passing.turns)).toEqual([
      'python3 run.py',
      'echo all good',
      'echo step 1 > f1.txt',
      'echo step 2 > f2.txt',
      'echo step 3 > f3.txt',
    ]);
    expect(passing.final).toBe('fixed');
  });

  test('raw_arguments are sent verbatim; tools missing from the request are still called', async () => {
    const s = await startSim();
    sim = s.sim;
    s.sim.scripts.register('bad args', {
      steps: [
        { tool: 'write_file', args: {}, raw_arguments: '{"path": "x", "content": ' },
        { tool: 'teleport', args: {} },
      ],
      final: 'gave up',
      reasoning_tokens: 0,
    });
    const { turns } = await drive('bad args', () => 'error: invalid arguments');
    expect(calls(turns[0] ?? [])[0]?.arguments).toBe('{"path": "x", "content": ');
    expect(calls(turns[1] ?? [])[0]?.name).toBe('teleport');
  });

  test('a summary request gets a summary carrying a progress marker, and the script resumes from it', async () => {
    const s = await startSim();
    sim = s.sim;
    s.sim.scripts.register('long task', {
      steps: [{ shell: 'echo {{i}}', repeat: 4 }],
      final: 'finished',
      reasoning_tokens: 0,
    });
    const client = clientFor(s.sim);
    const history: ResponseInputItem[] = [{ role: 'user', content: 'long task' }];
    for (let t = 0; t < 2; t++) {
      const r = await client.responses.create({ model: 'sim-1', input: history, store: false });
      appendTurn(history, r.output, () => 'ok');
    }
    const summary = await client.responses.create({
      model: 'sim-1',
      input: [...history, { role: 'user', content: 'Summarize the conversation so far for a handoff.' }],
      store: false,
    });
    expect(summary.output_text).toContain('[sim-progress:1]');
    const resumed = await client.responses.create({
      model: 'sim-1',
      input: [
        { role: 'user', content: 'long task' },
        { role: 'assistant', content: summary.output_text },
      ],
      store: false,
    });
    const next = calls(resumed.output)[0];
    expect(JSON.parse(next?.arguments ?? '{}').command[2]).toBe('echo 3');
  });

  test('the same seed gives the same call ids; another seed gives others', async () => {
    const ids: string[] = [];
    for (const seed of [1, 1, 2]) {
      const s = await startSim({ seed });
      s.sim.scripts.register('t', { steps: [{ shell: 'ls' }], final: 'f', reasoning_tokens: 0 });
      const r = await s.client.responses.create({ model: 'sim-1', input: 't', store: false });
      ids.push(calls(r.output)[0]?.call_id ?? '');
      await s.sim.close();
    }
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });
});
