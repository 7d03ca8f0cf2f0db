/** A signal of one's own that also follows others: see `linkedAbort`. */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Aborts it from here (a time limit, a stalled stream, an agent that went). */
  abort(reason: unknown): void;
  /** Takes its listeners off the sources (done on abort; call it when the work is over). */
  unlink(): void;
}

/**
 * A plain AbortController that is also aborted, with the same reason, as soon as any of
 * `sources` is. Unlike AbortSignal.any it costs nothing to read: a composite signal walks its
 * sources on every read of `aborted`, and the SDK and undici read it on every stream chunk.
 */
export function linkedAbort(sources: readonly (AbortSignal | undefined)[]): LinkedAbort {
  const controller = new AbortController();
  const listeners: Array<[AbortSignal, () => void]> = [];
  const unlink = () => {
    for (const [source, listener] of listeners.splice(0)) source.removeEventListener('abort', listener);
  };
  const abort = (reason: unknown) => {
    unlink();
    if (!controller.signal.aborted) controller.abort(reason);
  };
  for (const source of sources) {
    if (!source) continue;
    if (source.aborted) {
      abort(source.reason);
      break;
    }
    const listener = () => abort(source.reason);
    source.addEventListener('abort', listener, { once: true });
    listeners.push([source, listener]);
  }
  return { signal: controller.signal, abort, unlink };
}
