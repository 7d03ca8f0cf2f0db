import { createRequire } from 'node:module';
import type { ModelRequest, OutputItem } from '../model/types.js';
import { prettyCanonicalJson } from './hash.js';
import { digestItem, outputItemsAsInput } from './prefix-items.js';

type DiffLibrary = typeof import('diff');
const require = createRequire(import.meta.url);
let library: DiffLibrary | null = null;

/** The diff library, loaded on the first prompt diff (most runs never make one): its CommonJS build, synchronously. */
function diffLib(): DiffLibrary {
  library ??= require('diff') as DiffLibrary;
  return library;
}

const CONTEXT_LINES = 3;
const COLUMN_WIDTH = 60;
const MAX_ROWS = 60;

/**
 * A readable, multi-line account of what changed from one request to the next: model, cache key
 * and settings, tools (order, added, removed, changed), an instructions line diff, and the first
 * differing input item side by side. With `prevOutput`, the previous request's output items are
 * appended to its input first (as the loop resends them), so a plain extension shows no difference.
 */
export function describePromptChange(
  prevReq: ModelRequest,
  nextReq: ModelRequest,
  prevOutput: readonly OutputItem[] = [],
): string {
  const sections = [
    ...headSections(prevReq, nextReq),
    ...toolSections(prevReq, nextReq),
    ...instructionSections(prevReq.instructions, nextReq.instructions),
    inputSection([...prevReq.input, ...outputItemsAsInput(prevOutput)], nextReq.input, prevReq.input.length),
  ];
  return sections.join('\n\n');
}

function headSections(prev: ModelRequest, next: ModelRequest): string[] {
  const lines: string[] = [];
  if (prev.model !== next.model) lines.push(`model: ${prev.model} → ${next.model}`);
  if (prev.promptCacheKey !== next.promptCacheKey) {
    lines.push(`prompt_cache_key: ${prev.promptCacheKey ?? '(none)'} → ${next.promptCacheKey ?? '(none)'}`);
  }
  if (prev.reasoningEffort !== next.reasoningEffort) {
    lines.push(
      `reasoning effort: ${prev.reasoningEffort ?? '(default)'} → ${next.reasoningEffort ?? '(default)'}`,
    );
  }
  if (prev.parallelToolCalls !== next.parallelToolCalls) {
    lines.push(`parallel tool calls: ${prev.parallelToolCalls} → ${next.parallelToolCalls}`);
  }
  return lines.length > 0 ? [lines.join('\n')] : [];
}

function toolSections(prev: ModelRequest, next: ModelRequest): string[] {
  const prevNames = prev.tools.map((tool) => tool.name);
  const nextNames = next.tools.map((tool) => tool.name);
  const lines: string[] = [];
  if (prevNames.join('\u0000') !== nextNames.join('\u0000')) {
    lines.push(`tools order: [${prevNames.join(', ')}] → [${nextNames.join(', ')}]`);
    const added = nextNames.filter((name) => !prevNames.includes(name));
    const removed = prevNames.filter((name) => !nextNames.includes(name));
    if (added.length > 0) lines.push(`tools added: ${added.join(', ')}`);
    if (removed.length > 0) lines.push(`tools removed: ${removed.join(', ')}`);
  }
  for (const tool of next.tools) {
    const before = prev.tools.find((candidate) => candidate.name === tool.name);
    if (!before || digestItem(before).hash === digestItem(tool).hash) continue;
    lines.push(`tool ${tool.name} definition changed:`);
    lines.push(...unifiedDiff(prettyCanonicalJson(before), prettyCanonicalJson(tool)));
  }
  return lines.length > 0 ? [lines.join('\n')] : [];
}

function instructionSections(prev: string, next: string): string[] {
  if (prev === next) return [];
  return [['instructions changed:', ...unifiedDiff(prev, next)].join('\n')];
}

function unifiedDiff(before: string, after: string): string[] {
  const patch = diffLib().structuredPatch(
    'previous',
    'next',
    ensureNewline(before),
    ensureNewline(after),
    '',
    '',
    {
      context: CONTEXT_LINES,
    },
  );
  return patch.hunks.flatMap((hunk) => [
    `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`,
    ...hunk.lines.map((line) => `  ${line}`),
  ]);
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function inputSection(
  previous: readonly object[],
  next: readonly object[],
  previousPromptLength: number,
): string {
  const common = Math.min(previous.length, next.length);
  let at = 0;
  while (at < common && digestItem(previous[at]!).hash === digestItem(next[at]!).hash) at++;
  if (at === previous.length) {
    return `input: extends the previous prompt + output (+${next.length - previous.length} new item(s))`;
  }
  const origin = at >= previousPromptLength ? ' (previous output item)' : '';
  if (at === next.length) {
    return `input: ends after item ${at - 1}; previous prompt + output went on with ${previous.length - at} more item(s), from item ${at}${origin}: ${digestItem(previous[at]!).label}`;
  }
  const before = previous[at]!;
  const after = next[at]!;
  return [
    `input: first difference at item ${at}${origin}: ${digestItem(before).label} → ${digestItem(after).label}`,
    sideBySide(prettyCanonicalJson(before).split('\n'), prettyCanonicalJson(after).split('\n')),
  ].join('\n');
}

type Row = { left: string; right: string; mark: ' ' | '|' | '<' | '>' };

/** Two columns, previous | next, aligned by a line diff; only the rows near a change are shown. */
export function sideBySide(left: string[], right: string[]): string {
  const rows: Row[] = [];
  const changes = diffLib().diffArrays(left, right);
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i]!;
    if (!change.added && !change.removed) {
      for (const line of change.value) rows.push({ left: line, right: line, mark: ' ' });
      continue;
    }
    const removed = change.removed ? change.value : [];
    const nextChange = changes[i + 1];
    const added = change.added ? change.value : nextChange?.added ? nextChange.value : [];
    if (change.removed && nextChange?.added) i++;
    for (let j = 0; j < Math.max(removed.length, added.length); j++) {
      const l = removed[j];
      const r = added[j];
      rows.push({
        left: l ?? '',
        right: r ?? '',
        mark: l !== undefined && r !== undefined ? '|' : l !== undefined ? '<' : '>',
      });
    }
  }
  const keep = rows.map((_row, i) => rows.slice(Math.max(0, i - 2), i + 3).some((near) => near.mark !== ' '));
  const header = `  ${'previous'.padEnd(COLUMN_WIDTH)}   next`;
  const out = [header];
  let skipped = false;
  for (let i = 0; i < rows.length && out.length <= MAX_ROWS; i++) {
    if (!keep[i]) {
      skipped = true;
      continue;
    }
    if (skipped) out.push(`  ${'…'.padEnd(COLUMN_WIDTH)}   …`);
    skipped = false;
    const row = rows[i]!;
    const start = row.mark === '|' ? windowStart(row.left, row.right) : 0;
    out.push(`  ${cell(row.left, start).padEnd(COLUMN_WIDTH)} ${row.mark} ${cell(row.right, start)}`);
  }
  if (out.length > MAX_ROWS) out.push(`  (cut at ${MAX_ROWS} rows)`);
  return out.join('\n');
}

/** For a changed line pair, start the window a little before the first differing character. */
function windowStart(a: string, b: string): number {
  let d = 0;
  while (d < a.length && d < b.length && a[d] === b[d]) d++;
  return d < COLUMN_WIDTH - 10 ? 0 : d - Math.floor(COLUMN_WIDTH / 3);
}

function cell(line: string, start: number): string {
  const body = line.slice(start, start + COLUMN_WIDTH - (start > 0 ? 1 : 0));
  const head = start > 0 ? '…' : '';
  const room = COLUMN_WIDTH - head.length;
  const text = body.length > room ? body.slice(0, room) : body;
  const cut = line.length > start + text.length;
  return cut ? `${head}${text.slice(0, room - 1)}…` : `${head}${text}`;
}
