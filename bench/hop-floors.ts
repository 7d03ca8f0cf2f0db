import { join } from 'node:path';
import { startByteRelay, startPassThrough } from './pass-through-proxy.js';

/**
 * The proxy benchmark's floors in a process of their own, so the measuring process's CPU is the
 * recording proxy's alone: a pass-through Node HTTP proxy at `<dir>/pass-through.sock` and a byte
 * relay at `<dir>/byte-relay.sock`, both to the sim. Prints `ready` once both listen; ends when
 * its stdin closes. Arguments: the sim's origin, the folder for the sockets.
 */
async function main(): Promise<void> {
  const [origin, dir] = process.argv.slice(2);
  if (!origin || !dir) throw new Error('usage: hop-floors <sim origin> <socket folder>');
  const upstream = new URL(origin);
  const passThrough = await startPassThrough(join(dir, 'pass-through.sock'), upstream);
  const byteRelay = await startByteRelay(join(dir, 'byte-relay.sock'), upstream);
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('end', () => {
    void Promise.all([passThrough.close(), byteRelay.close()]).then(() => process.exit(0));
  });
}

await main();
