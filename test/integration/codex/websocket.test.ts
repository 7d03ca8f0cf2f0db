import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimServer, type SimTransport, startSimServer } from '../../../src/sim/index.js';
import {
  type CodexExecResult,
  readCodexSession,
  runCodexExec,
  runPythonTests,
  stopCodexRuns,
  usageOf,
} from '../../helpers/codex.js';

/**
 * The real Codex CLI (`@openai/codex`, pinned) runs a scripted task against the sim over the
 * Responses WebSocket transport. A custom model provider gets it with `supports_websockets =
 * true` (the built-in `openai` provider has it set; a custom one defaults to false); Codex then
 * opens `GET /v1/responses` with `OpenAI-Beta: responses_websockets=…`, warms the connection up
 * with `generate: false`, and sends each turn as a `response.create` chained by
 * `previous_response_id` with only the new items. No retries are allowed, so a WebSocket failure
 * would show up as an HTTP fallback or a failed run.
 */

const TASK = 'Fix add() in calc.py so that the tests in test_calc.py pass.';
const CALC_BUGGY = 'def add(a, b):\n    return a - b\n';
const TEST_CALC =
  'import unittest\nfrom calc import add\n\n\nclass AddTest(unittest.TestCase):\n' +
  '    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n\n\nif __name__ == "__main__":\n    unittest.main()\n';
const FINAL = 'Fixed add(): it subtracted instead of adding. The tests pass now.';

let sim: SimServer;
let scratch: string;
let run: CodexExecResult;
const responses: Array<{ response: Response; transport: SimTransport }> = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'turnbench-codex-ws-'));
  const codexHome = join(scratch, 'codex-home');
  const work = join(scratch, 'work');
  await mkdir(work, { recursive: true });
  await writeFile(join(work, 'calc.py'), CALC_BUGGY);
  await writeFile(join(work, 'test_calc.py'), TEST_CALC);

  sim = await startSimServer({
    seed: 9,
    onResponse: (response, transport) => responses.push({ response, transport }),
  });
  sim.scripts.register(TASK, {
    steps: [
      { tool: 'exec_command', args: { cmd: 'python3 -m unittest -q 2>&1 | tail -n 4' } },
      { tool: 'exec_command', args: { cmd: 'cat calc.py' }, when: { output_contains: 'FAILED' } },
      {
        tool: 'exec_command',
        args: { cmd: "sed -i 's/a - b/a + b/' calc.py" },
        say: 'add() subtracts; fixing it.',
      },
      { tool: 'exec_command', args: { cmd: 'python3 -m unittest -q 2>&1 | tail -n 4' } },
    ],
    final: FINAL,
    reasoning_tokens: 8,
  });
  run = await runCodexExec({
    codexHome,
    cwd: work,
    prompt: TASK,
    config: {
      model: 'sim-1',
      baseUrl: sim.url,
      provider: 'custom',
      providerId: 'turnbench_sim',
      apiKeyEnv: 'TURNBENCH_SIM_KEY',
      websockets: true,
      requestMaxRetries: 0,
      streamMaxRetries: 0,
      sandboxMode: 'danger-full-access',
    },
    env: { TURNBENCH_SIM_KEY: 'sim' },
    timeoutMs: 150_000,
  });
}, 180_000);

afterAll(async () => {
  stopCodexRuns();
  await sim?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('Codex CLI over the Responses WebSocket transport', () => {
  it('finishes the task', async () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.lastMessage.trim()).toBe(FINAL);
    const work = join(scratch, 'work');
    expect(await readFile(join(work, 'calc.py'), 'utf8')).toContain('return a + b');
    // the tests Codex ran really pass now
    runPythonTests(work);
  });

  it('used one WebSocket for every request, never the HTTP fallback', () => {
    expect(sim.traffic.websocketUpgrades).toBe(1);
    expect(sim.traffic.http['POST /v1/responses'] ?? 0).toBe(0);
    expect(responses.every((r) => r.transport === 'websocket')).toBe(true);
    // a warm-up (generate: false, no output) and the five scripted turns
    expect(sim.traffic.websocketEvents['response.create']).toBe(responses.length);
    expect(responses.length).toBe(6);
  });

  it('got every response completed, chained on the connection by previous_response_id', () => {
    expect(responses.map((r) => r.response.status)).toEqual(responses.map(() => 'completed'));
    const [warmup, ...turns] = responses.map((r) => r.response);
    expect(warmup?.output).toEqual([]);
    expect(turns.map((r) => r.output.map((o) => o.type))).toEqual([
      ['function_call'],
      ['function_call'],
      ['message', 'function_call'],
      ['function_call'],
      ['message'],
    ]);
    // Codex sent incremental input: each request continued the previous response on the socket
    turns.forEach((r, i) => {
      expect(r.previous_response_id).toBe(i === 0 ? warmup?.id : turns[i - 1]?.id);
    });
  });

  it("logs per-request token_count equal to the sim's usage", async () => {
    const session = await readCodexSession(join(scratch, 'codex-home'));
    const generated = responses.map((r) => r.response).filter((r) => r.output.length > 0);
    const simUsage = generated.map((r) => usageOf(r.usage));
    expect(session.tokenCounts).toEqual(simUsage);
    // and each response's own record, by id, as the product reads the log
    expect(session.log.warnings).toEqual([]);
    expect(session.log.requests.map((r) => r.responseId)).toEqual(generated.map((r) => r.id));
    expect(session.log.requests.map((r) => r.usage)).toEqual(simUsage);
    // the warm-up prefilled the prefix: from the first turn on, most of the prompt is cached
    expect(simUsage.every((u) => (u.cachedTokens ?? 0) > 0)).toBe(true);
  });
});
