import { forgetSecrets, redact, registerSecret, StreamRedactor } from '../src/secrets/index.js';
import { median, round } from './util.js';

/** A 1 MB Responses stream: 2,000 small delta events, then one ~900 KB `response.completed` line. */
function responsesStream(): Buffer {
  const deltas = Array.from(
    { length: 2000 },
    (_, i) =>
      `event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', delta: `${'word '.repeat(5)}${i}` })}\n\n`,
  ).join('');
  const completed = `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response: { output: 'x y z '.repeat(150_000) } })}\n\n`;
  return Buffer.from(deltas + completed);
}

function streamMs(stream: Buffer, chunkBytes: number): number {
  const started = performance.now();
  const redactor = new StreamRedactor();
  for (let i = 0; i < stream.length; i += chunkBytes) redactor.push(stream.subarray(i, i + chunkBytes));
  redactor.end();
  return performance.now() - started;
}

/**
 * What the recording proxy's redaction of answers costs (src/secrets/stream-redactor.ts): a 1 MB
 * stream redacted as it passes, in 200-byte and 16 KB chunks, against one `redact()` of the
 * whole text (the least any redaction can cost), measured in the same run; two keys registered.
 */
export async function benchRedact(): Promise<Record<string, unknown>> {
  registerSecret(`sk-proj-${'Ab12'.repeat(40)}`);
  registerSecret('another-provider-key-1234');
  const stream = responsesStream();
  const text = stream.toString('utf8');
  const runs = 7;
  const whole = median(
    Array.from({ length: runs }, () => {
      const started = performance.now();
      redact(text);
      return performance.now() - started;
    }),
  );
  const small = median(Array.from({ length: runs }, () => streamMs(stream, 200)));
  const large = median(Array.from({ length: runs }, () => streamMs(stream, 16 * 1024)));
  forgetSecrets();
  return {
    bench: 'stream_redaction',
    stream_mb: round(stream.length / (1 << 20)),
    whole_text_redact_ms: round(whole),
    stream_200b_chunks_ms: round(small),
    stream_200b_chunks_us_per_chunk: round((small * 1000) / Math.ceil(stream.length / 200)),
    stream_16kb_chunks_ms: round(large),
    ratio_stream_16kb_vs_whole: round(large / whole),
    ratio_stream_200b_vs_whole: round(small / whole),
  };
}
