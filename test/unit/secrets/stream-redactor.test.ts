import { afterEach, describe, expect, it } from 'vitest';
import {
  forgetSecrets,
  isSafeCut,
  REDACTED,
  redact,
  registerSecret,
  StreamRedactor,
} from '../../../src/secrets/index.js';

afterEach(() => forgetSecrets());

const KEY = 'plain-provider-key-0731-zz'; // no shape: only its registration can catch it
const SPACED_KEY = 'open sesame 4417 zq'; // could be cut at a space, were it not held back
const ESCAPED_KEY = 'quote"key\\with-backslash-42';

/** The stream fed in the given pieces; what the reader would get. */
function through(pieces: string[]): { out: string; firstOut: string[] } {
  const redactor = new StreamRedactor();
  const firstOut: string[] = [];
  let out = '';
  for (const piece of pieces) {
    const passed = redactor.push(Buffer.from(piece));
    firstOut.push(passed);
    out += passed;
  }
  return { out: out + redactor.end(), firstOut };
}

const SSE = [
  'event: response.created\ndata: {"type":"response.created"}\n\n',
  `event: response.output_text.delta\ndata: ${JSON.stringify({ delta: `you sent ${KEY} and Authorization: Bearer sk-proj-${'Ab12'.repeat(12)}` })}\n\n`,
  `event: error\ndata: ${JSON.stringify({ message: `escaped ${ESCAPED_KEY}; x-api-key: abcdefgh12345678` })}\n\n`,
  'event: response.completed\ndata: {"type":"response.completed"}\n\n',
].join('');

describe('StreamRedactor', () => {
  it('redacts a stream cut in two at every place as if it were whole', () => {
    registerSecret(KEY);
    registerSecret(ESCAPED_KEY);
    const whole = redact(SSE);
    // the control: the text holds each secret, and redact takes each out
    expect(SSE).toContain(KEY);
    expect(SSE).toContain(JSON.stringify(ESCAPED_KEY).slice(1, -1));
    expect(whole).not.toContain(KEY);
    expect(whole).not.toContain('Ab12Ab12');
    expect(whole).not.toContain('abcdefgh12345678');
    for (let at = 0; at <= SSE.length; at++) {
      expect(through([SSE.slice(0, at), SSE.slice(at)]).out, `cut at ${at}`).toBe(whole);
    }
  });

  it('redacts a stream fed one character at a time, and a multi-byte character split across chunks', () => {
    registerSecret(KEY);
    const text = `data: {"delta":"héllo ✓ ${KEY}"}\n\n`;
    expect(through([...text]).out).toBe(redact(text));
    const bytes = Buffer.from(text);
    const redactor = new StreamRedactor();
    let out = '';
    for (let i = 0; i < bytes.length; i++) out += redactor.push(bytes.subarray(i, i + 1));
    expect(out + redactor.end()).toBe(`data: {"delta":"héllo ✓ ${REDACTED}"}\n\n`);
  });

  it('lets text through at each line end, so an SSE event is not held back', () => {
    const { firstOut } = through(['event: a\ndata: {"x":1}\n\n', 'data: partial', ' line\n']);
    expect(firstOut).toEqual(['event: a\ndata: {"x":1}\n\n', '', 'data: partial line\n']);
  });

  it('holds a line end right after a credential keyword until the value is seen', () => {
    const { out, firstOut } = through(['Authorization:\n', 'Bearer abcdefghijklmnopqrstuvwxyz\n']);
    expect(firstOut[0]).toBe('');
    expect(out).toBe(redact('Authorization:\nBearer abcdefghijklmnopqrstuvwxyz\n'));
    expect(out).not.toContain('abcdefghijklmnop');
  });

  it('lets a very long line through in parts without cutting a secret or a shaped key', () => {
    registerSecret(KEY);
    const filler = 'lorem ipsum dolor sit amet '.repeat(3000); // ~80 KB, no line end
    const line = `data: ${filler}${KEY} ${filler}sk-${'Q'.repeat(40)} ${filler}end\n`;
    const pieces: string[] = [];
    // chunks of a size that puts cuts all over the line, the secrets' places included
    for (let i = 0; i < line.length; i += 4093) pieces.push(line.slice(i, i + 4093));
    const { out, firstOut } = through(pieces);
    expect(out).toBe(redact(line));
    expect(out).not.toContain(KEY);
    expect(out).not.toContain('QQQQ');
    // parts went out before the line ended: the line was not held whole
    expect(firstOut.slice(0, -1).some((p) => p.length > 0)).toBe(true);
  });

  it('keeps a secret whole when a long line is let through just as the secret is half in', () => {
    registerSecret(KEY);
    registerSecret(SPACED_KEY);
    const filler = `data: ${'dolor sit '.repeat(7000)}`; // past the 64 KiB a line is held
    for (const secret of [
      KEY,
      SPACED_KEY,
      `Authorization: Bearer ${'tok9'.repeat(8)}`,
      `sk-${'K7'.repeat(20)}`,
    ]) {
      for (let k = 1; k < secret.length; k++) {
        const { out, firstOut } = through([filler + secret.slice(0, k), `${secret.slice(k)} and more\n`]);
        expect(firstOut[0]!.length, `${secret} split at ${k}`).toBeGreaterThan(0);
        expect(out, `${secret} split at ${k}`).toBe(redact(`${filler}${secret} and more\n`));
      }
    }
    expect(redact(`${filler}Authorization: Bearer ${'tok9'.repeat(8)}`)).not.toContain('tok9');
  });

  it('keeps a secret that spans lines whole (a PEM key): a line end is then no place to cut', () => {
    const pem = '-----BEGIN KEY-----\nMIIEabcdefgh\nijklmnop1234\n-----END KEY-----';
    registerSecret(pem);
    const text = `data: leaked ${pem} here\n\n`;
    for (let at = 0; at <= text.length; at++) {
      const { out } = through([text.slice(0, at), text.slice(at)]);
      expect(out, `cut at ${at}`).toBe(`data: leaked ${REDACTED} here\n\n`);
    }
  });

  it('cuts inside an over-long run of value characters (a base64 blob), never inside a short one', () => {
    const blob = 'A'.repeat(300_000);
    const { out, firstOut } = through([`data: ${blob.slice(0, 150_000)}`, `${blob.slice(150_000)}\n`]);
    expect(out).toBe(`data: ${blob}\n`);
    expect(firstOut[0]!.length).toBeGreaterThan(0);
    expect(isSafeCut('Bearer abcdef', 10)).toBe(false);
    expect(isSafeCut('Bearer abcdef', 7)).toBe(false);
    expect(isSafeCut('word abcdef', 5)).toBe(true);
    expect(isSafeCut(`${'B'.repeat(5000)}`, 4000)).toBe(true);
    // an sk- key inside a blob: not cut within reach of its start
    expect(isSafeCut(`${'B'.repeat(3000)}/sk-${'C'.repeat(100)}`, 3050)).toBe(false);
  });
});
