import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response, ResponseOutputItem } from 'openai/resources/responses/responses';
import { afterEach, describe, expect, test } from 'vitest';
import type { SimScript } from '../../../src/config/index.js';
import { type SimServer, startSimServer } from '../../../src/sim/index.js';
import {
  closeCodexTest,
  readCodexSession,
  runCodexExec,
  runPythonTests,
  usageOf,
} from '../../helpers/codex.js';
import type { CodexConfigOptions } from '../../helpers/codex-config.js';
import {
  type RecordedExchange,
  type RecordingProxy,
  startRecordingProxy,
} from '../../helpers/recording-proxy.js';

/**
 * The real Codex CLI (`codex exec` 0.171, the pinned devDependency; approvals off, its commands
 * in its own workspace-write sandbox, in a temp dir on the host) runs a scripted task against
 * the sim: it runs the failing tests, reads the code, pages through long output, fixes the bug
 * with a freeform `apply_patch`, and runs the tests again. Each set-up checks that the task is
 * done, that every request got a 2xx, that the script ran each step exactly once in order
 * (no restart after a compaction), and that Codex's own session log books for every request
 * exactly the usage the sim answered.
 */

// Registered with a trailing newline, as a YAML block scalar leaves it; Codex sends it trimmed.
const TASK = 'The tests in test_stats.py fail. Find the bug in stats.py, fix it, and make the tests pass.\n';

const STATS = 'def mean(xs):\n    return sum(xs) / (len(xs) + 1)\n';
const TESTS = [
  'import unittest',
  'from stats import mean',
  '',
  '',
  'class MeanTest(unittest.TestCase):',
  '    def test_mean(self):',
  '        self.assertEqual(mean([1, 2, 3]), 2)',
  '',
  '',
  "if __name__ == '__main__':",
  '    unittest.main()',
  '',
].join('\n');
const PATCH = [
  '*** Begin Patch',
  '*** Update File: stats.py',
  '@@',
  ' def mean(xs):',
  '-    return sum(xs) / (len(xs) + 1)',
  '+    return sum(xs) / len(xs)',
  '*** End Patch',
  '',
].join('\n');
const FINAL = 'Fixed mean() in stats.py: it divided by len(xs) + 1. The tests pass now.';

const SCRIPT: SimScript = {
  steps: [
    { tool: 'exec_command', args: { cmd: 'python3 -m unittest -q 2>&1 | tail -n 20' } },
    { tool: 'exec_command', args: { cmd: 'cat stats.py' }, when: { output_contains: 'FAILED' } },
    { tool: 'exec_command', args: { cmd: 'seq 1 1500' }, repeat: 3, say: 'Paging through the log.' },
    { tool: 'apply_patch', args: { input: PATCH } },
    {
      parallel: [
        { tool: 'exec_command', args: { cmd: 'python3 -m unittest -q 2>&1 | tail -n 5' } },
        { tool: 'exec_command', args: { cmd: 'cat stats.py' } },
      ],
    },
  ],
  final: FINAL,
  reasoning_tokens: 16,
};

/** Every call the script makes, in order: [tool, what it carries]. */
const EXPECTED_CALLS: Array<[string, string]> = [
  ['exec_command', 'python3 -m unittest -q 2>&1 | tail -n 20'],
  ['exec_command', 'cat stats.py'],
  ['exec_command', 'seq 1 1500'],
  ['exec_command', 'seq 1 1500'],
  ['exec_command', 'seq 1 1500'],
  ['apply_patch', PATCH],
  ['exec_command', 'python3 -m unittest -q 2>&1 | tail -n 5'],
  ['exec_command', 'cat stats.py'],
];

let sim: SimServer | undefined;
let proxy: RecordingProxy | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await closeCodexTest({ proxy, sim, dirs });
  proxy = undefined;
  sim = undefined;
});

interface Outcome {
  exchanges: RecordedExchange[];
  responses: Response[];
  codexHome: string;
  work: string;
  lastMessage: string;
}

async function runTask(config: Omit<CodexConfigOptions, 'baseUrl'>): Promise<Outcome> {
  sim = await startSimServer({ seed: 9 });
  sim.scripts.register(TASK, SCRIPT);
  proxy = await startRecordingProxy(sim.url);
  const root = mkdtempSync(join(tmpdir(), 'tb-codex-'));
  dirs.push(root);
  const work = join(root, 'work');
  const codexHome = join(root, 'codex-home');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'stats.py'), STATS);
  writeFileSync(join(work, 'test_stats.py'), TESTS);

  const run = await runCodexExec({
    codexHome,
    cwd: work,
    prompt: TASK.trim(),
    config: { ...config, baseUrl: proxy.url },
    timeoutMs: 150_000,
  });
  if (run.code !== 0) throw new Error(`codex exec exited ${run.code}\n${run.stderr.slice(-4000)}`);
  expect(proxy.upgrades).toEqual([]);
  const responses = proxy.exchanges.flatMap((e) => (e.response ? [e.response] : []));
  return { exchanges: proxy.exchanges, responses, codexHome, work, lastMessage: run.lastMessage };
}

type Item = Record<string, unknown>;
/** The input items of a recorded request. */
const inputOf = (e: RecordedExchange | undefined): Item[] => (e?.body?.input as Item[] | undefined) ?? [];
/** The text of each user message of a recorded request. */
const userTexts = (e: RecordedExchange | undefined): string[] =>
  inputOf(e)
    .filter((i) => i.role === 'user')
    .map((i) => (i.content as Array<{ text?: string }>).map((c) => c.text ?? '').join(''));

const isRemoteCompaction = (r: Response) => r.output.length === 1 && r.output[0]?.type === 'compaction';
const lastInput = (e: RecordedExchange) => inputOf(e).at(-1);
const isInlineCompaction = (e: RecordedExchange) =>
  Array.isArray(e.body?.tools) &&
  e.body.tools.length === 0 &&
  JSON.stringify(lastInput(e) ?? {}).includes('CONTEXT CHECKPOINT COMPACTION');

function callsOf(output: ResponseOutputItem[]): Array<[string, string]> {
  return output.flatMap((item): Array<[string, string]> => {
    if (item.type === 'function_call')
      return [[item.name, (JSON.parse(item.arguments) as { cmd: string }).cmd]];
    if (item.type === 'custom_tool_call') return [[item.name, item.input]];
    return [];
  });
}

/** What every set-up must show: the task done, 2xx everywhere, each step once, usage booked. */
async function expectTaskDone(o: Outcome): Promise<void> {
  expect(o.lastMessage.trim()).toBe(FINAL);
  expect(readFileSync(join(o.work, 'stats.py'), 'utf8')).toBe(
    'def mean(xs):\n    return sum(xs) / len(xs)\n',
  );
  runPythonTests(o.work);

  expect(o.exchanges.length).toBeGreaterThan(0);
  for (const e of o.exchanges) {
    expect(`${e.method} ${e.path} ${e.status}`).toMatch(/^POST \/v1\/responses 2\d\d$/);
    expect(e.response).not.toBeNull();
  }
  expect(o.responses.flatMap((r) => callsOf(r.output))).toEqual(EXPECTED_CALLS);

  // the freeform apply_patch: declared `custom`, called as a custom_tool_call, answered as one
  const patchCall = o.responses.flatMap((r) => r.output).find((i) => i.type === 'custom_tool_call');
  if (patchCall?.type !== 'custom_tool_call') throw new Error('no custom_tool_call was emitted');
  const tools = (o.exchanges[0]?.body?.tools as Array<{ type: string; name?: string }> | undefined) ?? [];
  const declared = tools.find((t) => t.name === 'apply_patch');
  expect(declared?.type).toBe('custom');
  const answered = o.exchanges.some((e) =>
    inputOf(e).some((i) => i.type === 'custom_tool_call_output' && i.call_id === patchCall.call_id),
  );
  expect(answered).toBe(true);

  const session = await readCodexSession(o.codexHome);
  // Codex ran non-interactively, its commands in its own workspace-write sandbox
  expect(session.turnContexts.length).toBeGreaterThan(0);
  for (const c of session.turnContexts) expect(c).toEqual({ approval: 'never', sandbox: 'workspace-write' });
  // Codex books, per response id, exactly the usage the sim answered (read as the product reads it),
  // each request of the kind it was; its two accounts of a request never disagree
  expect(session.log.warnings).toEqual([]);
  expect(session.log.requests.map((r) => r.responseId)).toEqual(o.responses.map((r) => r.id));
  expect(session.log.requests.map((r) => r.usage)).toEqual(o.responses.map((r) => usageOf(r.usage)));
  expect(session.log.requests.map((r) => r.kind)).toEqual(
    o.exchanges.map((e) =>
      e.response && isRemoteCompaction(e.response)
        ? 'compaction'
        : isInlineCompaction(e)
          ? 'summary'
          : 'agent',
    ),
  );
  // and its token_count events carry them as last_token_usage, in request order (Codex emits none
  // for a remote compaction turn)
  const expected = o.responses.filter((r) => !isRemoteCompaction(r)).map((r) => usageOf(r.usage));
  expect(session.tokenCounts).toEqual(expected);
}

describe('Codex CLI 0.171 against the sim', () => {
  test('inline summary compaction (custom provider, low auto-compact limit): the script resumes after each summary', {
    timeout: 200_000,
  }, async () => {
    const o = await runTask({
      model: 'gpt-5.5',
      provider: 'custom',
      autoCompactTokenLimit: 10_000,
      reasoningEffort: 'low',
    });
    await expectTaskDone(o);
    const summaries = o.exchanges.filter(isInlineCompaction);
    // two compactions: the second one's history holds the first one's summary
    expect(summaries.length).toBeGreaterThanOrEqual(2);
    for (const e of summaries) {
      const summary = e.response?.output_text ?? '';
      expect(summary).toMatch(/\[sim-progress:\d+\] \[sim-next:\d+\.\d+\]/);
      // the next request carries it back as Codex's summary message, after the task
      const after = o.exchanges[o.exchanges.indexOf(e) + 1];
      const texts = userTexts(after);
      expect(texts.some((t) => t.startsWith('Another language model') && t.endsWith(summary))).toBe(true);
      expect(texts).toContain(TASK.trim());
    }
    expect(o.responses.some(isRemoteCompaction)).toBe(false);
  });

  test('remote compaction (provider named OpenAI): compaction_trigger answered by one compaction item', {
    timeout: 200_000,
  }, async () => {
    const o = await runTask({
      model: 'gpt-5.5',
      provider: 'openai-compatible',
      autoCompactTokenLimit: 10_000,
      reasoningEffort: 'low',
    });
    await expectTaskDone(o);
    const triggers = o.exchanges.filter((e) => lastInput(e)?.type === 'compaction_trigger');
    expect(triggers.length).toBeGreaterThanOrEqual(2);
    for (const e of triggers) {
      expect(e.response && isRemoteCompaction(e.response)).toBe(true);
      const item = e.response?.output[0];
      const after = o.exchanges[o.exchanges.indexOf(e) + 1];
      const resent = inputOf(after).filter((i) => i.type === 'compaction');
      expect(resent.map((i) => i.encrypted_content)).toContain(
        item?.type === 'compaction' ? item.encrypted_content : 'missing',
      );
    }
    expect(o.exchanges.some(isInlineCompaction)).toBe(false);
  });

  test('freeform apply_patch on a model whose profile declares it custom, no compaction', {
    timeout: 200_000,
  }, async () => {
    const o = await runTask({ model: 'gpt-5.5', provider: 'custom' });
    await expectTaskDone(o);
    expect(o.exchanges.some(isInlineCompaction)).toBe(false);
    expect(o.responses.some(isRemoteCompaction)).toBe(false);
    // reasoning items come back byte-identical and are counted like any input item
    const first = o.responses[0]?.output.find((i) => i.type === 'reasoning');
    if (first?.type !== 'reasoning') throw new Error('gpt-5.5 reasons: a reasoning item was expected');
    expect(first.encrypted_content).toMatch(/^simr1\./);
    const resent = inputOf(o.exchanges[1]).find((i) => i.type === 'reasoning');
    expect(resent?.encrypted_content).toBe(first.encrypted_content);
  });
});
