/**
 * A plain signal aborted, with the same reason, as soon as any of `sources` is. Unlike
 * AbortSignal.any it costs nothing to read: a composite signal walks its sources on every read of
 * `aborted`, and the run reads it for every sample (and the SDK on every stream chunk below).
 * `unlink()` takes its listeners off the sources once the run is over.
 */
export function linkedAbort(sources: readonly AbortSignal[]): { signal: AbortSignal; unlink: () => void } {
  const controller = new AbortController();
  const listeners: Array<[AbortSignal, () => void]> = [];
  const unlink = () => {
    for (const [source, listener] of listeners.splice(0)) source.removeEventListener('abort', listener);
  };
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    const listener = () => {
      unlink();
      controller.abort(source.reason);
    };
    source.addEventListener('abort', listener, { once: true });
    listeners.push([source, listener]);
  }
  if (controller.signal.aborted) unlink();
  return { signal: controller.signal, unlink };
}
