import { join } from 'node:path';
import { printable } from '../secrets/index.js';
import {
  type EventRecord,
  EventRecordSchema,
  type TurnRecord,
  TurnRecordSchema,
} from '../telemetry/index.js';
import { formatUsd } from './format.js';
import { readJsonl } from './jsonl.js';
import { RUN_FILES, readManifest } from './run-dir.js';

export class SampleNotFoundError extends Error {
  override name = 'SampleNotFoundError';
}

type CacheBreak = Extract<EventRecord, { type: 'cache_break' }>;
type Compaction = Extract<EventRecord, { type: 'compaction' }>;
type ToolsChanged = Extract<EventRecord, { type: 'tools_changed' }>;

export interface SampleInspection {
  run_id: string;
  sample_id: string;
  turns: TurnRecord[];
  cache_breaks: CacheBreak[];
  compactions: Compaction[];
  /** MCP tool-list changes, in order (the turn is the one whose tool calls were running). */
  tools_changed: ToolsChanged[];
  /** Every sample id of the run, in run order, so a user can pick another. */
  samples: string[];
}

/**
 * One sample's turns and cache events. Without a sample id it picks the first sample that had a
 * cache break (the interesting one), else the first sample of the run.
 */
export async function inspectSample(runDir: string, sampleId?: string): Promise<SampleInspection> {
  const manifest = readManifest(runDir);
  if (sampleId && !manifest.sample_ids.includes(sampleId)) {
    throw new SampleNotFoundError(
      `sample "${sampleId}" is not in run ${manifest.run_id} (it has ${manifest.sample_ids.length} samples)`,
    );
  }
  let chosen = sampleId;
  if (!chosen) {
    await readJsonl(join(runDir, RUN_FILES.events), EventRecordSchema, (e) => {
      if (!chosen && e.type === 'cache_break') chosen = e.sample_id;
    });
    chosen ??= manifest.sample_ids[0];
  }
  if (!chosen) throw new Error(`run ${manifest.run_id} has no samples`);
  const turns: TurnRecord[] = [];
  await readJsonl(join(runDir, RUN_FILES.turns), TurnRecordSchema, (t) => {
    if (t.sample_id === chosen) turns.push(t);
  });
  const cacheBreaks: CacheBreak[] = [];
  const compactions: Compaction[] = [];
  const toolsChanged: ToolsChanged[] = [];
  await readJsonl(join(runDir, RUN_FILES.events), EventRecordSchema, (e) => {
    if (e.sample_id !== chosen) return;
    if (e.type === 'cache_break') cacheBreaks.push(e);
    if (e.type === 'compaction') compactions.push(e);
    if (e.type === 'tools_changed') toolsChanged.push(e);
  });
  return {
    run_id: manifest.run_id,
    sample_id: chosen,
    turns,
    cache_breaks: cacheBreaks,
    compactions,
    tools_changed: toolsChanged,
    samples: manifest.sample_ids,
  };
}

const pct = (r: number | null) => (r === null ? 'n/a' : `${(100 * r).toFixed(0)}%`);
const num = (n: number | null) => (n === null ? 'n/a' : String(n));

/** The per-turn table and, for the first broken turn, what changed in the prompt. */
export function formatInspection(s: SampleInspection): string {
  const compactedAfter = new Set(s.compactions.map((c) => c.turn));
  // A notification during a turn's tool calls; at a compaction the change belongs to the compaction.
  const toolsChangedAt = new Set(s.tools_changed.filter((c) => c.server !== null).map((c) => c.turn));
  const header = [
    'turn',
    'kind',
    'input',
    'cached',
    'hit',
    'expected',
    'writes',
    'output',
    'class',
    'reason',
    'lost',
    'mark',
  ];
  const rows = s.turns.map((t) => [
    String(t.turn),
    t.kind,
    String(t.input_tokens),
    num(t.cached_tokens),
    pct(t.cache_hit_rate),
    num(t.expected_cached_tokens),
    num(t.cache_write_tokens),
    String(t.output_tokens),
    t.cache_class,
    t.prefix.reason ?? '',
    t.prefix.lost_tokens ? String(t.prefix.lost_tokens) : '',
    [
      t.after_compaction ? 'after-compaction' : '',
      compactedAfter.has(t.turn) ? 'compacted' : '',
      t.kind === 'agent' && toolsChangedAt.has(t.turn) ? 'tools-changed' : '',
    ]
      .filter(Boolean)
      .join(','),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 7 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [`run ${s.run_id}  sample ${s.sample_id}`, '', line(header), ...rows.map(line)];
  for (const c of s.compactions) {
    out.push(
      '',
      `compaction after turn ${c.turn} (${c.method}): ${c.tokens_before ?? '?'} -> ${c.tokens_after ?? '?'} tokens, ${c.items_before ?? '?'} -> ${c.items_after ?? '?'} items`,
    );
  }
  for (const c of s.tools_changed) out.push('', describeToolsChange(c));
  const first = s.cache_breaks[0];
  if (first) {
    out.push(
      '',
      `first cache break: turn ${first.turn}, ${first.reason ?? 'unknown'}: ${first.detail ?? ''}`,
    );
    if (first.lost_tokens) out.push(`tokens that could have been cached: ${first.lost_tokens}`);
    if (first.cost_usd !== null) out.push(`cost of the lost cache reads: ${formatUsd(first.cost_usd)}`);
    if (first.diff) out.push('', first.diff);
  } else {
    out.push('', 'no cache break: every turn extended the previous prompt (or followed a compaction).');
  }
  // prompts' text (the diff, break details) is the model's, the tools' and the task's
  return printable(out.join('\n'));
}

function describeToolsChange(c: ToolsChanged): string {
  const what = [
    ...c.added.map((name) => `+${name}`),
    ...c.removed.map((name) => `-${name}`),
    ...c.changed.map((name) => `~${name}`),
  ].join(' ');
  const applied = {
    now: 'tools re-listed at once: the next turn breaks at the tools',
    appended: 'new tools appended at the end; removed ones stay listed until the next compaction',
    deferred: 'tools list unchanged until the next compaction',
    at_compaction: 'held-back changes applied with the compaction',
  }[c.applied];
  const source =
    c.server === null
      ? `at the compaction after turn ${c.turn}`
      : `during turn ${c.turn} (server ${c.server})`;
  return `tools changed ${source}, policy ${c.policy}: ${what || 'order'}; ${applied}; ${c.tools} MCP tools listed`;
}
