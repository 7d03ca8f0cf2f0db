import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { ConfigError } from './errors.js';

/**
 * Byte offset of the first byte that is not valid UTF-8, or null when all of it is. Up to that
 * byte the lossy decoding re-encodes to the same bytes, so the offset of the first U+FFFD that
 * does not stand for a literal EF BF BD in the file is where the damage starts.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number | null {
  if (isUtf8(bytes)) return null;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) {
    const offset = Buffer.byteLength(text.slice(0, i));
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset;
  }
  return 0;
}

/**
 * A text file the user wrote (YAML, a dataset), decoded as strict UTF-8: a file in another
 * encoding is an error naming the line and byte, never silently turned into U+FFFD characters.
 */
export async function readUtf8File(file: string, what = 'file'): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : String(error);
    throw new ConfigError({ file, detail: `cannot read ${what} (${code})` });
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== null) {
    const lineStart = bytes.lastIndexOf(0x0a, bad - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
    throw new ConfigError({
      file,
      line,
      detail: `not valid UTF-8 at byte ${bad - lineStart + 1} of the line (offset ${bad}, byte 0x${bytes[bad]?.toString(16).padStart(2, '0')}); save the ${what} as UTF-8`,
    });
  }
  // A UTF-8 byte order mark is not content.
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
