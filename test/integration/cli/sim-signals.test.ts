import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CLI } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'turnbench-sim-signals-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * A reader that stops the sim the instant it says it listens: loaded into the sim's process, it
 * sends the signal from inside the write of that line, before any later statement of the sim runs.
 */
function preloadSignallingOnListen(signal: NodeJS.Signals): string {
  const file = join(tmp, `stop-on-listen-${signal}.mjs`);
  writeFileSync(
    file,
    `const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  const done = write(chunk, ...rest);
  if (String(chunk).startsWith('listening on')) process.kill(process.pid, ${JSON.stringify(signal)});
  return done;
};
`,
  );
  return file;
}

function simStoppedOnListen(signal: NodeJS.Signals) {
  const child = spawn(
    process.execPath,
    ['--import', preloadSignallingOnListen(signal), CLI, 'sim', '--port', '0'],
    {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (code, killedBy) => resolve({ code, signal: killedBy, stdout, stderr })),
  );
}

describe('turnbench sim and signals', () => {
  beforeAll(() => assertBuilt());

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'a %s sent as soon as "listening on" is printed closes the server and exits 0',
    async (signal) => {
      const ended = await simStoppedOnListen(signal);
      expect(ended.stdout).toContain('listening on http://');
      expect({ code: ended.code, signal: ended.signal }, ended.stderr.slice(-1000)).toEqual({
        code: 0,
        signal: null,
      });
    },
    60_000,
  );
});
