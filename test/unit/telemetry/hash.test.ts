import { describe, expect, it } from 'vitest';
import { canonicalJson, hashList, hashValue } from '../../../src/telemetry/hash.js';
import { countO200kTokens } from '../../../src/telemetry/prefix-tokens.js';

describe('hashValue', () => {
  it('does not depend on key order at any depth', () => {
    const a = {
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'hi', extra: { x: 1, y: 2 } }],
    };
    const b = {
      content: [{ extra: { y: 2, x: 1 }, text: 'hi', type: 'input_text' }],
      role: 'user',
      type: 'message',
    };
    expect(hashValue(a)).toBe(hashValue(b));
    expect(canonicalJson(b)).toBe(
      '{"content":[{"extra":{"x":1,"y":2},"text":"hi","type":"input_text"}],"role":"user","type":"message"}',
    );
  });

  it('changes with any value, and with array order', () => {
    expect(hashValue({ a: 'x' })).not.toBe(hashValue({ a: 'y' }));
    expect(hashValue([1, 2])).not.toBe(hashValue([2, 1]));
    expect(hashValue({ a: undefined, b: 1 })).toBe(hashValue({ b: 1 }));
  });

  it('is short hex', () => {
    expect(hashValue('anything')).toMatch(/^[0-9a-f]{16}$/);
    expect(hashList(['a', 'b'])).not.toBe(hashList(['b', 'a']));
  });
});

describe('countO200kTokens', () => {
  it('counts with the real tokenizer and treats special-token text as plain text', () => {
    expect(countO200kTokens('hello world')).toBe(2);
    expect(countO200kTokens('a file that mentions <|endoftext|> literally')).toBeGreaterThan(5);
  });
});
