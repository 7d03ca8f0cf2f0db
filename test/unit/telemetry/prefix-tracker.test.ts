import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import type { ModelRequest, OutputItem, PromptItem } from '../../../src/model/types.js';
import { outputItemsAsInput } from '../../../src/telemetry/prefix-items.js';
import { CacheForensics, type TurnForensics } from '../../../src/telemetry/prefix-tracker.js';
import { call, callOutput, reasoning, request, TOOLS, user } from './helpers.js';

/**
 * A stand-in provider with an implicit prefix cache of its own: it renders the prompt as blocks
 * (tools, instructions, each item as plain text), counts them with o200k, and serves the longest
 * block prefix shared with any prompt it has seen, from 1024 tokens in 128-token steps.
 */
class PrefixCacheProvider {
  private seen: string[][] = [];
  constructor(
    private readonly reportsCache = true,
    /** Tokens the provider counts for an item, when not its text (a compaction item: what it replaced). */
    private readonly itemTokens: (item: PromptItem) => number | undefined = () => undefined,
  ) {}

  evict(): void {
    this.seen = [];
  }

  respond(req: ModelRequest): { inputTokens: number; cachedTokens: number | null } {
    const blocks = [
      `${req.model}|${req.promptCacheKey}|${req.reasoningEffort}|${req.tools.map((t) => JSON.stringify(t)).join('')}`,
      req.instructions,
      ...req.input.map((item) => JSON.stringify(Object.values(item))),
    ];
    const tokens = blocks.map(
      (block, i) => (i >= 2 ? this.itemTokens(req.input[i - 2]!) : undefined) ?? countTokens(block) + 3,
    );
    let best = 0;
    for (const old of this.seen) {
      let shared = 0;
      for (let i = 0; i < Math.min(old.length, blocks.length) && old[i] === blocks[i]; i++)
        shared += tokens[i]!;
      best = Math.max(best, shared);
    }
    this.seen.push(blocks);
    const cached = best < 1024 ? 0 : 1024 + Math.floor((best - 1024) / 128) * 128;
    const inputTokens = tokens.reduce((a, b) => a + b, 0);
    return { inputTokens, cachedTokens: this.reportsCache ? Math.min(cached, inputTokens) : null };
  }
}

interface Scenario {
  turns: number;
  layout?: (turn: number, items: PromptItem[]) => ModelRequest;
  beforeTurn?: (turn: number, provider: PrefixCacheProvider, items: PromptItem[]) => PromptItem[] | undefined;
  reportsCache?: boolean;
  itemTokens?: (item: PromptItem) => number | undefined;
  /** The task message's context lines (40 unless set). */
  contextLines?: number;
}

function run(scenario: Scenario): { records: (TurnForensics & { cached: number | null; input: number })[] } {
  const provider = new PrefixCacheProvider(scenario.reportsCache ?? true, scenario.itemTokens);
  const forensics = new CacheForensics();
  let items: PromptItem[] = [
    user(
      `Task: make the build pass.\n${'Context line about the repository.\n'.repeat(scenario.contextLines ?? 40)}`,
    ),
  ];
  const records = [];
  let afterCompaction = false;
  for (let turn = 1; turn <= scenario.turns; turn++) {
    const replaced = scenario.beforeTurn?.(turn, provider, items);
    if (replaced) {
      items = replaced;
      afterCompaction = true;
    }
    const req = scenario.layout ? scenario.layout(turn, items) : request(items);
    const usage = provider.respond(req);
    const output: OutputItem[] = [
      reasoning(`rs_${turn}`, `step ${turn}`),
      call(`c${turn}`, 'shell', `{"cmd":"make step${turn}"}`),
    ];
    const outputAsInput = outputItemsAsInput(output);
    const record = forensics.turn({
      turn,
      request: req,
      outputAsInput,
      inputTokens: usage.inputTokens,
      cachedTokens: usage.cachedTokens,
      afterCompaction,
    });
    records.push({ ...record, cached: usage.cachedTokens, input: usage.inputTokens });
    afterCompaction = false;
    items = [
      ...items,
      ...outputAsInput,
      callOutput(`c${turn}`, `compiler output for step ${turn}\n`.repeat(25)),
    ];
  }
  return { records };
}

describe('CacheForensics against a prefix-caching provider', () => {
  it('sees a stable layout as an extension with a hit on every turn past the minimum', () => {
    const { records } = run({ turns: 12 });
    expect(records[0]!.cache_class).toBe('first_turn');
    for (const record of records.slice(1)) {
      expect(record.prefix.extends_previous).toBe(true);
      expect(record.cache_class).toBe(record.input < 1024 ? 'below_minimum' : 'hit');
      expect(record.expected_cached_tokens).toBeLessThanOrEqual(record.cached!);
    }
    expect(records.filter((r) => r.cache_class === 'hit').length).toBeGreaterThan(8);
  });

  it('records tools reordered at turn 5 as a harness break with the lost tokens in provider units', () => {
    const reordered = [TOOLS[2]!, TOOLS[0]!, TOOLS[1]!, TOOLS[3]!];
    const { records } = run({
      turns: 7,
      layout: (turn, items) => request(items, turn === 5 ? { tools: reordered } : {}),
    });
    const turn5 = records[4]!;
    expect(turn5.cache_class).toBe('harness_break');
    expect(turn5.prefix.reason).toBe('tools_reordered');
    expect(turn5.expected_cached_tokens).toBe(0);
    expect(turn5.cached).toBe(0);
    const prevInput = records[3]!.input;
    expect(turn5.prefix.lost_tokens).toBeGreaterThanOrEqual(prevInput);
    expect(turn5.prefix.lost_tokens).toBeLessThan(prevInput * 1.3);
    expect(records[3]!.cache_class).toBe('hit');
  });

  it('records an eviction as a provider miss', () => {
    const { records } = run({
      turns: 9,
      beforeTurn: (turn, provider) => {
        if (turn === 7) provider.evict();
        return undefined;
      },
    });
    expect(records[6]!.prefix.extends_previous).toBe(true);
    expect(records[6]!.expected_cached_tokens).toBeGreaterThan(1024);
    expect(records[6]!.cache_class).toBe('provider_miss');
    expect(records[7]!.cache_class).toBe('hit');
  });

  it('attributes the miss after a compaction to the compaction, not to the layout', () => {
    const { records } = run({
      turns: 10,
      beforeTurn: (turn, _provider, items) =>
        turn === 8 ? [items[0]!, { type: 'compaction', encrypted_content: 'condensed history' }] : undefined,
    });
    const turn8 = records[7]!;
    expect(turn8.prefix.reason).toBe('compacted');
    expect(turn8.prefix.diverged_at).toBe(1);
    expect(turn8.cache_class).not.toBe('harness_break');
    expect(['hit', 'below_minimum']).toContain(turn8.cache_class);
    expect(records[8]!.prefix.extends_previous).toBe(true);
  });

  it('after a compaction that keeps an earlier prompt, expects exactly what that prompt cached (not a scaled estimate)', () => {
    // The provider counts a compaction item as the history it replaced (as the real API and the
    // sim do), far more than its short opaque text: a whole-prompt calibration ratio is then off
    // for the kept items, by several cache steps.
    const compaction = (n: number): PromptItem => ({ type: 'compaction', encrypted_content: `summary-${n}` });
    const { records } = run({
      turns: 12,
      contextLines: 160,
      itemTokens: (item) => (item.type === 'compaction' ? 3000 : undefined),
      beforeTurn: (turn, _provider, items) =>
        turn === 6 || turn === 9 ? [items[0]!, compaction(turn)] : undefined,
    });
    const first = records[0]!;
    for (const turn of [6, 9]) {
      const after = records[turn - 1]!;
      expect(after.prefix).toMatchObject({ reason: 'compacted', diverged_at: 1 });
      // what survived is exactly turn 1's prompt: the provider serves it, and that is what is expected
      expect(after.cached).toBe(1024 + Math.floor((first.input - 1024) / 128) * 128);
      expect(after.expected_cached_tokens).toBe(after.cached);
      expect(after.cache_class).toBe('hit');
    }
    // turn 9's previous prompt holds a compaction item: the ratio of provider tokens to our
    // estimate is far from 1 there, so a scaled estimate would have missed by more than a step
    const previous = records[7]!;
    expect(
      previous.input /
        (previous.fingerprint.prefixTokens + previous.fingerprint.itemTokens.reduce((a, b) => a + b, 0)),
    ).toBeGreaterThan(1.5);
  });

  it('reports unknown when the provider gives no cache figures, but still flags our breaks', () => {
    const { records } = run({
      turns: 6,
      reportsCache: false,
      layout: (turn, items) =>
        request(items, { instructions: `You are an agent. Turn ${turn === 5 ? 'five' : 'n'}.` }),
    });
    expect(records[3]!.cache_class).toBe(records[3]!.input < 1024 ? 'below_minimum' : 'unknown');
    expect(records[5]!.cache_class).toBe('harness_break');
    expect(records[5]!.prefix.reason).toBe('instructions_changed');
  });
});

describe('CacheForensics token counting', () => {
  it('counts no tokens while each prompt extends the last, and counts on the first break', () => {
    let counted = 0;
    const forensics = new CacheForensics({
      countTokens: (text) => {
        counted += 1;
        return Math.ceil(text.length / 4);
      },
    });
    let items: PromptItem[] = [user('Task: list the files.')];
    let input = 1500;
    const turn = (n: number, req: ModelRequest) => {
      const outputAsInput = outputItemsAsInput([call(`c${n}`, 'shell', `{"cmd":"ls ${n}"}`)]);
      const record = forensics.turn({
        turn: n,
        request: req,
        outputAsInput,
        inputTokens: input,
        cachedTokens: n === 1 ? 0 : input - 200,
        afterCompaction: false,
      });
      items = [...items, ...outputAsInput, callOutput(`c${n}`, `output ${n}`)];
      input += 200;
      return record;
    };
    for (let n = 1; n <= 5; n++) expect(turn(n, request(items)).prefix.lost_tokens ?? 0).toBe(0);
    expect(counted).toBe(0);
    const broken = turn(6, request(items, { instructions: 'Changed instructions.' }));
    expect(broken.prefix.reason).toBe('instructions_changed');
    expect(broken.prefix.lost_tokens).toBeGreaterThan(0);
    expect(counted).toBeGreaterThan(0);
  });
});
