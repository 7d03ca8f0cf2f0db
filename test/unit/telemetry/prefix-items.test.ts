import { describe, expect, it } from 'vitest';
import { hashText, hashValue } from '../../../src/telemetry/index.js';
import { digestItem } from '../../../src/telemetry/prefix-items.js';

/** The digest as defined: a hash per top-level field, and the item's hash from them (sorted keys). */
function expectedDigest(item: Record<string, unknown>) {
  const keys = Object.keys(item).sort();
  const fields = Object.fromEntries(keys.map((key) => [key, hashValue(item[key])]));
  const hash = hashText(keys.map((key) => `${JSON.stringify(key)}:${fields[key]}`).join(','));
  return { hash, fields };
}

const message = (role: string, text: string) => ({
  type: 'message',
  role,
  content: [{ type: 'input_text', text }],
});

describe('digestItem memos', () => {
  it('gives an input message sent again as a new object the digest of the first (kept by its JSON text)', () => {
    const first = digestItem(message('user', 'the same task text, epoch after epoch'));
    const again = digestItem(message('user', 'the same task text, epoch after epoch'));
    expect(again).toBe(first);
    expect(first).toMatchObject(expectedDigest(message('user', 'the same task text, epoch after epoch')));
  });

  it('keeps a large message too (instructions resent in every request), within a bound on the characters kept', () => {
    const big = (n: number) => message('developer', `${n}:${'instructions '.repeat(80_000)}`); // ~1 MB each
    const first = digestItem(big(0));
    expect(digestItem(big(0))).toBe(first);
    for (let n = 1; n <= 4; n++) digestItem(big(n)); // 5 MB of text in all: past the bound
    expect(digestItem(big(4))).toBe(digestItem(big(4)));
    const again = digestItem(big(0));
    expect(again).not.toBe(first); // the oldest was let go, and is computed again, the same
    expect(again).toEqual(first);
  });

  it('keeps a message resent in every request while many seen once pass, and lets those go', () => {
    const instructions = () => message('developer', `resent: ${'instructions '.repeat(3_000)}`);
    const kept = digestItem(instructions());
    const firstOnce = message('user', '<environment_context>/tmp/sample-0</environment_context>');
    const firstOnceDigest = digestItem(firstOnce);
    for (let n = 1; n <= 2_000; n++) {
      digestItem(message('user', `<environment_context>/tmp/sample-${n}</environment_context>`));
      expect(digestItem(instructions())).toBe(kept);
    }
    // Each sample's own message was let go long ago (bounded by count, not only by characters).
    const again = digestItem(message('user', '<environment_context>/tmp/sample-0</environment_context>'));
    expect(again).not.toBe(firstOnceDigest);
    expect(again).toEqual(firstOnceDigest);
  });

  it('tells apart messages that differ in text, role or key order only as their content does', () => {
    const base = digestItem(message('user', 'text A'));
    expect(digestItem(message('user', 'text B')).hash).not.toBe(base.hash);
    expect(digestItem(message('developer', 'text A')).hash).not.toBe(base.hash);
    // Same content, other key order: another JSON text (a miss), the same canonical digest.
    const reordered = { content: [{ text: 'text A', type: 'input_text' }], role: 'user', type: 'message' };
    const digest = digestItem(reordered);
    expect(digest).not.toBe(base);
    expect(digest.hash).toBe(base.hash);
  });

  it('keeps no digest of items a model made or tool outputs by content: each is computed, and right', () => {
    const call = { type: 'function_call_output', call_id: 'call_1', output: 'same output' };
    const other = { type: 'function_call_output', call_id: 'call_1', output: 'same output' };
    expect(digestItem(other)).not.toBe(digestItem(call));
    expect(digestItem(other)).toMatchObject(expectedDigest(other));
    const answer = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'done', annotations: [] }],
    };
    expect(digestItem(answer)).toMatchObject(expectedDigest(answer));
  });

  it('hashes repeated short field values (type, role, status, name) as any other value', () => {
    for (const item of [
      { type: 'function_call', name: 'shell', call_id: 'c1', arguments: '{}', status: 'completed' },
      { type: 'function_call', name: 'shell', call_id: 'c2', arguments: '{"a":1}', status: 'completed' },
      { type: 'reasoning', id: 'rs_1', summary: [] },
    ])
      expect(digestItem(item)).toMatchObject(expectedDigest(item));
  });
});
