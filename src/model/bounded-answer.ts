/**
 * Largest answer body read from a provider: 64 MiB. A real answer is a few MB at most (its events
 * repeat the text, and the last one carries the whole response). A provider that streams without
 * end (one endless line: measured growing the run's memory by ~100 MB a second, 4.4 GB within a
 * 20 s wall timeout) is cut off here, with an error the sample records.
 */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export class AnswerTooLargeError extends Error {
  override name = 'AnswerTooLargeError';
  constructor(maxBytes: number) {
    super(`the provider's answer passed ${maxBytes} bytes; the rest was not read`);
  }
}

type BodyReader = ReadableStreamDefaultReader<Uint8Array>;

/**
 * The same response, read at most `maxBytes` deep: its body's reader (what the SDK streams from)
 * and its text()/json() (what it reads a plain answer and an error with) fail with
 * AnswerTooLargeError past that. The reader is counted in place: piping the body through a
 * TransformStream cost ~0.3-0.45 ms of CPU per request (500 SDK requests against the sim), this
 * costs nothing measurable.
 */
export function boundedAnswer(response: Response, maxBytes = MAX_ANSWER_BYTES): Response {
  const body = response.body;
  if (!body) return response;
  const getReader = body.getReader.bind(body) as () => BodyReader;
  const boundedReader = (): BodyReader => {
    const reader = getReader();
    const read = reader.read.bind(reader);
    let bytes = 0;
    reader.read = async () => {
      const result = await read();
      if (!result.done) bytes += result.value.byteLength;
      if (bytes > maxBytes) {
        reader.cancel().catch(() => {});
        throw new AnswerTooLargeError(maxBytes);
      }
      return result;
    };
    return reader;
  };
  const text = async (): Promise<string> => {
    const reader = boundedReader();
    const chunks: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    return Buffer.concat(chunks).toString('utf8');
  };
  Object.defineProperty(body, 'getReader', { value: boundedReader });
  Object.defineProperty(response, 'text', { value: text });
  Object.defineProperty(response, 'json', { value: async () => JSON.parse(await text()) as unknown });
  return response;
}
