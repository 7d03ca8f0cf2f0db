import { describe, expect, it } from 'vitest';
import { linkedAbort } from '../../../src/runner/linked-abort.js';

describe('linkedAbort', () => {
  it('aborts with the reason of the first source that aborts, and only once', () => {
    const a = new AbortController();
    const b = new AbortController();
    const link = linkedAbort([a.signal, b.signal]);
    expect(link.signal.aborted).toBe(false);
    const first = new Error('second source first');
    b.abort(first);
    a.abort(new Error('later'));
    expect(link.signal.aborted).toBe(true);
    expect(link.signal.reason).toBe(first);
  });

  it('starts aborted when a source already is', () => {
    const a = new AbortController();
    const reason = new Error('already');
    a.abort(reason);
    const link = linkedAbort([new AbortController().signal, a.signal]);
    expect(link.signal.aborted).toBe(true);
    expect(link.signal.reason).toBe(reason);
  });

  it('stops following its sources once unlinked', () => {
    const a = new AbortController();
    const link = linkedAbort([a.signal]);
    link.unlink();
    a.abort();
    expect(link.signal.aborted).toBe(false);
  });
});
