import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Report files are written whole or not at all: each goes to a temporary file beside it and is
 * renamed over the target (rename(2) replaces it in one step). A reader never sees half a file, two
 * `report` processes writing the same folder never leave one torn (the last rename wins, whole), and
 * a write that fails leaves the previous file as it was.
 */
export async function writeAtomically(file: string, produce: (temp: string) => Promise<void>): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await produce(temp);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** `writeFile`, whole or not at all. */
export function writeTextAtomically(file: string, text: string): Promise<void> {
  return writeAtomically(file, (temp) => writeFile(temp, text));
}
