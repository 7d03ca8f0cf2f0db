import { describe, expect, it, vi } from 'vitest';
import { linkedAbort } from '../../../src/model/linked-abort.js';

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

  it('is aborted from here with its own reason, and then follows its sources no more', () => {
    const a = new AbortController();
    const removed = vi.spyOn(a.signal, 'removeEventListener');
    const link = linkedAbort([a.signal, undefined]);
    const own = new Error('wall time');
    link.abort(own);
    expect(link.signal.reason).toBe(own);
    expect(removed).toHaveBeenCalledTimes(1);
    a.abort(new Error('later'));
    expect(link.signal.reason).toBe(own);
  });
});
