import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCodexRollout } from '../../../src/ingest/index.js';
import { collect, fixture } from './helpers.js';

describe('a Codex log with an item nested past what recursion can follow', () => {
  it('is read whole: the deep item joins the history and every request is rebuilt', async () => {
    const lines = readFileSync(fixture('v0.171', 'parallel-calls.jsonl'), 'utf8').split('\n');
    const deep = `${'{"x":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const item = `{"timestamp":"2026-12-01T10:00:00.000Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"x","extra":${deep}}]}}`;
    const log = [...lines.slice(0, 3), item, ...lines.slice(3)].join('\n');
    const events = await collect(readCodexRollout(Readable.from([log]), { file: 'deep.jsonl' }));
    const requests = events.flatMap((e) => (e.type === 'request' ? [e.request] : []));
    expect(requests).toHaveLength(3);
    // one item more than the same log without it (4, 8, 10: the base instructions item and the history)
    expect(requests.map((r) => r.itemCount)).toEqual([5, 9, 11]);
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
  });
});
