import { pathToFileURL } from 'node:url';
import type { ModelRequest, OutputItem, PromptItem } from '../src/model/types.js';
import { canonicalJson, hashText } from '../src/telemetry/hash.js';
import { outputItemsAsInput } from '../src/telemetry/prefix-items.js';
import { countO200kTokens, memoTokens, type TokenCounter } from '../src/telemetry/prefix-tokens.js';
import { CacheForensics } from '../src/telemetry/prefix-tracker.js';

const TARGET_CONTEXT_TOKENS = 100_000;
const MEASURED_TURNS = 100;
const TARGET_MEDIAN_MS = 1;

/** Deterministic pseudo-random words, so the tokenizer sees varied text rather than one repeated line. */
export function wordSource(seed: number): (n: number) => string {
  let state = seed >>> 0;
  const words = [
    'build',
    'error',
    'src/app.ts',
    'const',
    'return',
    'value',
    'test',
    'passed',
    'failed',
    'line',
    '42',
    'import',
    'function',
    'undefined',
    'expected',
    'received',
    '->',
    '{',
    '}',
    'npm',
    'warn',
  ];
  return (n) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      state = (state * 1664525 + 1013904223) >>> 0;
      out.push(words[state % words.length]!);
      if (state % 11 === 0) out.push('\n');
    }
    return out.join(' ');
  };
}

const tools: ModelRequest['tools'] = ['shell', 'apply_patch', 'update_plan', 'read_file'].map((name) => ({
  type: 'function',
  name,
  description: `The ${name} tool.`,
  strict: false,
  parameters: { type: 'object', properties: { arg: { type: 'string' } }, required: ['arg'] },
}));

function turnOutput(
  turn: number,
  words: (n: number) => string,
): { output: OutputItem[]; toolOutput: PromptItem } {
  return {
    output: [
      {
        type: 'reasoning',
        id: `rs_${turn}`,
        summary: [{ type: 'summary_text', text: words(20) }],
        encrypted_content: words(30),
      },
      {
        type: 'function_call',
        id: `fc_${turn}`,
        call_id: `c${turn}`,
        name: 'shell',
        arguments: JSON.stringify({ cmd: words(8) }),
        status: 'completed',
      },
    ],
    toolOutput: { type: 'function_call_output', call_id: `c${turn}`, output: words(220) },
  };
}

function req(input: PromptItem[]): ModelRequest {
  return {
    model: 'gpt-5',
    instructions: 'You are a coding agent.\n'.repeat(20),
    tools,
    input,
    store: false,
    parallelToolCalls: true,
    promptCacheKey: 'bench',
  };
}

/** Baseline: what a check without memoised hashes does, serialise and hash every prompt part each turn. */
function naiveCheck(prev: string[] | null, request: ModelRequest, counter: TokenCounter): string[] {
  const hashes = [hashText(request.instructions), hashText(canonicalJson(request.tools))];
  let tokens = 0;
  for (const item of request.input) {
    const text = canonicalJson(item);
    const hash = hashText(text);
    hashes.push(hash);
    tokens += memoTokens(counter, hash, () => text);
  }
  if (prev) {
    let at = 0;
    while (at < prev.length && prev[at] === hashes[at]) at++;
    if (at < prev.length || tokens < 0)
      throw new Error('bench conversation should extend the previous prompt');
  }
  return hashes;
}

function stats(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95) };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export async function benchPrefix(): Promise<Record<string, unknown>> {
  const words = wordSource(7);
  // History grown to the target size, with its output items converted as the loop converts them.
  let items: PromptItem[] = [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: words(200) }] },
  ];
  let turn = 0;
  let contextTokens = 0;
  while (contextTokens < TARGET_CONTEXT_TOKENS) {
    turn++;
    const { output, toolOutput } = turnOutput(turn, words);
    items = [...items, ...outputItemsAsInput(output), toolOutput];
    if (turn % 20 === 0)
      contextTokens = items.reduce((n, item) => n + countO200kTokens(canonicalJson(item)), 0);
  }
  const startItems = items.length;
  const turns = Array.from({ length: MEASURED_TURNS + 1 }, (_, i) => turnOutput(turn + 1 + i, words));

  // Ours: the per-turn forensics the agent loop runs (fingerprint, prefix check, expectation, class).
  const forensics = new CacheForensics({ countTokens: countO200kTokens });
  let history = items;
  const oursMs: number[] = [];
  for (let i = 0; i <= MEASURED_TURNS; i++) {
    const { output, toolOutput } = turns[i]!;
    const outputAsInput = outputItemsAsInput(output);
    const started = performance.now();
    const record = forensics.turn({
      turn: i + 1,
      request: req(history),
      outputAsInput,
      inputTokens: 100_000,
      cachedTokens: 99_000,
      afterCompaction: false,
    });
    const elapsed = performance.now() - started;
    if (i > 0) {
      if (record.prefix.extends_previous !== true)
        throw new Error(`bench turn ${i} did not extend: ${record.prefix.detail}`);
      oursMs.push(elapsed); // turn 0 tokenises the whole context once: setup, not per-turn cost
    }
    history = [...history, ...outputAsInput, toolOutput];
  }
  const endTokens = forensics.turn({
    turn: MEASURED_TURNS + 2,
    request: req(history),
    outputAsInput: [],
    inputTokens: 1,
    cachedTokens: 0,
    afterCompaction: false,
  });

  // Baseline on the same conversation, with its own token memo warmed the same way.
  const baselineCounter: TokenCounter = (text) => countO200kTokens(text);
  history = items;
  let prev: string[] | null = null;
  const baselineMs: number[] = [];
  for (let i = 0; i <= MEASURED_TURNS; i++) {
    const { output, toolOutput } = turns[i]!;
    const started = performance.now();
    prev = naiveCheck(prev, req(history), baselineCounter);
    const elapsed = performance.now() - started;
    if (i > 0) baselineMs.push(elapsed);
    history = [...history, ...outputItemsAsInput(output), toolOutput];
  }

  const ours = stats(oursMs);
  const baseline = stats(baselineMs);
  return {
    bench: 'prefix_check',
    context_tokens_start: contextTokens,
    context_tokens_end:
      endTokens.fingerprint.prefixTokens + endTokens.fingerprint.itemTokens.reduce((a, b) => a + b, 0),
    items_start: startItems,
    turns_measured: MEASURED_TURNS,
    median_ms: round(ours.median),
    p95_ms: round(ours.p95),
    baseline: 'canonical JSON + sha256 of every prompt part every turn (new items tokenised once, as ours)',
    baseline_median_ms: round(baseline.median),
    baseline_p95_ms: round(baseline.p95),
    speedup_vs_baseline: round(baseline.median / ours.median),
    target_median_ms: TARGET_MEDIAN_MS,
    meets_target: ours.median < TARGET_MEDIAN_MS,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchPrefix(), null, 2));
}
