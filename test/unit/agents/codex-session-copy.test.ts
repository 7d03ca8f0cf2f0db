import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodexDriver } from '../../../src/agents/codex/driver.js';
import type { AgentContext } from '../../../src/agents/driver.js';
import { SANDBOX_PATHS } from '../../../src/agents/launcher.js';
import type { CodexAgentSpec, VariantSpec } from '../../../src/config/index.js';
import { type ExecResult, FileTooLargeError, type Sandbox } from '../../../src/sandbox/core.js';
import { fixture } from '../ingest/helpers.js';

const SESSIONS = posix.join(SANDBOX_PATHS.codexHome, 'sessions');
const MiB = 1024 * 1024;

/**
 * A sandbox whose CODEX_HOME/sessions lists `count` rollout files that all read as `text`, the way
 * hard links to one file would: the container's disk holds it once, a copy out would hold it
 * `count` times.
 */
function sandboxWithLogs(count: number, text: string): { sandbox: Sandbox; reads: () => number } {
  let reads = 0;
  const listing = Array.from({ length: count }, (_, i) => `${SESSIONS}/2026/12/01/rollout-${i}.jsonl`).join(
    '\n',
  );
  const sandbox = {
    exec: async (): Promise<ExecResult> =>
      ({ exitCode: 0, stdout: listing, stderr: '', timedOut: false, truncated: false }) as ExecResult,
    readFile: async (path: string, opts: { maxBytes?: number } = {}) => {
      if (!path.startsWith(SESSIONS)) throw new Error('no such file'); // the last message
      reads += 1;
      if (opts.maxBytes !== undefined && Buffer.byteLength(text) > opts.maxBytes)
        throw new FileTooLargeError(path, opts.maxBytes);
      return text;
    },
  } as unknown as Sandbox;
  return { sandbox, reads: () => reads };
}

async function collect(sandbox: Sandbox) {
  const sampleDir = mkdtempSync(join(tmpdir(), 'tb-codex-copy-'));
  const driver = new CodexDriver(
    { dir: '/nowhere', entrypoint: 'bin/codex', version: '0.171.0' },
    {} as VariantSpec,
    {} as CodexAgentSpec,
  );
  const ctx = { sandbox, sampleDir, sample: {}, timeoutMs: 1000 } as unknown as AgentContext;
  const report = await driver.collect(ctx, { exitCode: 0 } as never, []);
  const copied = readdirSync(join(sampleDir, 'codex', 'sessions', '2026', '12', '01'));
  return { report, copied };
}

describe('copying Codex session logs out of a sandbox', () => {
  it('copies at most 32 files, and says how many it left behind', async () => {
    const log = readFileSync(fixture('v0.171', 'parallel-calls.jsonl'), 'utf8');
    const { sandbox, reads } = sandboxWithLogs(1000, log);
    const { report, copied } = await collect(sandbox);
    expect(copied).toHaveLength(32);
    expect(reads()).toBe(32);
    expect(report.usageCheck.status).not.toBe('match');
    expect(report.usageCheck.detail).toContain('968 session log file(s) left in the sandbox');
  });

  it('stops before the copies pass 64 MiB in all', async () => {
    const large = `${'x'.repeat(3 * MiB)}\n`;
    const { sandbox } = sandboxWithLogs(30, large);
    const { report, copied } = await collect(sandbox);
    // 21 files of 3 MiB fit in 64 MiB; the 22nd does not.
    expect(copied).toHaveLength(21);
    expect(report.usageCheck.detail).toContain('9 session log file(s) left in the sandbox');
  });

  it('copies every file of an ordinary run and leaves nothing out', async () => {
    const log = readFileSync(fixture('v0.171', 'parallel-calls.jsonl'), 'utf8');
    const { sandbox } = sandboxWithLogs(2, log);
    const { report, copied } = await collect(sandbox);
    expect(copied).toHaveLength(2);
    expect(report.usageCheck.detail ?? '').not.toContain('left in the sandbox');
  });
});
