import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { type SimFaultOptions, type SimServer, startSimServer } from '../../../src/sim/index.js';
import { type CodexExecResult, runCodexExec, stopCodexRuns } from '../../helpers/codex.js';

/**
 * The real Codex CLI (`codex exec` 0.171) against the sim's error answers over HTTP, with its own
 * retries off so that the first answer is the one it reports. What it prints is what it would
 * print against the real API, which sends an `x-request-id` on every answer and, when a model
 * is over capacity, a 503 with the code `server_is_overloaded`:
 * - a 429 is not retried over HTTP and is reported as "exceeded retry limit, last status: 429
 *   Too Many Requests, request id: req_…" (Codex names the request from `x-request-id`);
 * - a 503 `server_is_overloaded` is reported as the model being at capacity, not as an
 *   unexpected status.
 */

const TASK = 'Say hello.';

let sim: SimServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  stopCodexRuns();
  await sim?.close();
  sim = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function runAgainstFaults(faults: SimFaultOptions): Promise<CodexExecResult> {
  sim = await startSimServer({ seed: 3, faults });
  sim.scripts.register(TASK, { steps: [], final: 'Hello.', reasoning_tokens: 0 });
  const root = mkdtempSync(join(tmpdir(), 'tb-codex-err-'));
  dirs.push(root);
  const work = join(root, 'work');
  mkdirSync(work, { recursive: true });
  const run = await runCodexExec({
    codexHome: join(root, 'codex-home'),
    cwd: work,
    prompt: TASK,
    config: {
      model: 'gpt-5.5',
      baseUrl: sim.url,
      provider: 'custom',
      requestMaxRetries: 0,
      streamMaxRetries: 0,
      sandboxMode: 'danger-full-access',
    },
    timeoutMs: 90_000,
  });
  // Codex asked once and gave up: nothing was retried behind the message it printed
  expect(sim.traffic.http['POST /v1/responses']).toBe(1);
  expect(run.code).not.toBe(0);
  return run;
}

describe('Codex CLI 0.171 reports the sim errors as it reports the real API errors', () => {
  test('a 429 names the request id of the answer', { timeout: 120_000 }, async () => {
    const run = await runAgainstFaults({ rate_429: 1, retry_after_s: 1 });
    expect(run.stderr).toMatch(
      /exceeded retry limit, last status: 429 Too Many Requests, request id: req_[0-9a-f]{32}\b/,
    );
  });

  test('a 503 for an overloaded server is reported as a model at capacity', {
    timeout: 120_000,
  }, async () => {
    const run = await runAgainstFaults({ rate_503: 1 });
    expect(run.stderr).not.toContain('unexpected status 503');
    expect(run.stderr).toContain('Selected model is at capacity. Please try a different model.');
  });
});
