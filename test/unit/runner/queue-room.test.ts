import PQueue from 'p-queue';
import { describe, expect, it, vi } from 'vitest';
import { roomInQueue } from '../../../src/runner/queue-room.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('roomInQueue', () => {
  it('resolves at once while fewer than the limit wait', async () => {
    const queue = new PQueue({ concurrency: 1 });
    let resolved = false;
    void roomInQueue(queue, 1).then(() => (resolved = true));
    await tick();
    expect(resolved).toBe(true);
  });

  it('waits while the queue is full, and resolves when a waiting task starts', async () => {
    const queue = new PQueue({ concurrency: 1 });
    const gates: Array<() => void> = [];
    const task = () => new Promise<void>((resolve) => gates.push(resolve));
    void queue.add(task); // running
    void queue.add(task); // waiting
    void queue.add(task); // waiting
    expect(queue.size).toBe(2);
    let resolved = false;
    const room = roomInQueue(queue, 2).then(() => (resolved = true));
    await tick();
    expect(resolved).toBe(false);
    gates.shift()?.(); // the running task ends: a waiting one starts, one waits
    await room;
    expect(queue.size).toBe(1);
    for (const gate of gates.splice(0)) gate();
    while (gates.length > 0 || queue.pending > 0) {
      for (const gate of gates.splice(0)) gate();
      await tick();
    }
  });

  it('leaves no listener on the queue once resolved', async () => {
    const queue = new PQueue({ concurrency: 1 });
    const gates: Array<() => void> = [];
    void queue.add(() => new Promise<void>((resolve) => gates.push(resolve)));
    void queue.add(() => new Promise<void>((resolve) => gates.push(resolve)));
    const removed = vi.spyOn(queue, 'removeEventListener');
    const room = roomInQueue(queue, 1);
    gates.shift()?.();
    await room;
    expect(removed.mock.calls.map(([type]) => type).sort()).toEqual(['active', 'next']);
    for (const gate of gates.splice(0)) gate();
    await queue.onIdle();
  });
});
