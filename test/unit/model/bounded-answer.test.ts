import { describe, expect, it } from 'vitest';
import { AnswerTooLargeError, boundedAnswer } from '../../../src/model/bounded-answer.js';

/** A response whose body comes in the given chunks. */
function answer(chunks: string[], contentType = 'application/json'): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': contentType } });
}

describe('an answer read at most so deep', () => {
  it('reads a small answer whole, as text, as JSON and through its reader', async () => {
    expect(await boundedAnswer(answer(['{"a":', '1}']), 16).json()).toEqual({ a: 1 });
    expect(await boundedAnswer(answer(['{"a":', '1}']), 16).text()).toBe('{"a":1}');
    const reader = boundedAnswer(answer(['ab', 'cd']), 4).body!.getReader();
    expect((await reader.read()).value?.byteLength).toBe(2);
    expect((await reader.read()).value?.byteLength).toBe(2);
    expect((await reader.read()).done).toBe(true);
  });

  it('fails past the cap, whichever way the answer is read', async () => {
    const big = () => answer(['0123456789', '0123456789']);
    await expect(boundedAnswer(big(), 15).text()).rejects.toBeInstanceOf(AnswerTooLargeError);
    await expect(boundedAnswer(big(), 15).json()).rejects.toThrow('passed 15 bytes');
    const reader = boundedAnswer(big(), 15).body!.getReader();
    await reader.read();
    await expect(reader.read()).rejects.toBeInstanceOf(AnswerTooLargeError);
  });
});
