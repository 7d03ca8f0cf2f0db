import type PQueue from 'p-queue';

/**
 * Resolves once fewer than `limit` tasks wait in `queue`. The same as p-queue's
 * `onSizeLessThan`, without the AbortController it makes and aborts on every call: aborting one
 * without a reason builds a DOMException, ~0.1 ms each, paid once per sample by a run that feeds
 * its queue as it drains.
 */
export function roomInQueue(queue: PQueue, limit: number): Promise<void> {
  if (queue.size < limit) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (queue.size >= limit) return;
      queue.removeEventListener('next', check);
      queue.removeEventListener('active', check);
      resolve();
    };
    queue.addEventListener('next', check);
    queue.addEventListener('active', check);
  });
}
