import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_STEP_TIMEOUT_S,
  MAX_TIMER_MS,
  MAX_WALL_TIMEOUT_S,
  timerDelay,
} from '../../../src/config/index.js';
import { EventRecordSchema, SampleRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli, turnbenchContainers } from '../cli/helpers.js';

/**
 * Finding 6 of issue 12: a timeout past Node's timer limit (2^31-1 ms, about 24.8 days) fired at
 * once, so every sample, tool call, scorer and request "timed out". Every timeout read from a
 * file or flag now has a maximum (exit 2 naming the file and field), and every timer fed by one
 * is clamped besides.
 */

interface SuiteOpts {
  taskExtra?: string;
  variantExtra?: string;
  scorer?: string;
}

function suiteWith(opts: SuiteOpts): { suite: string; task: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tb-timers-'));
  mkdirSync(join(dir, 'slow'));
  const task = join(dir, 'slow/task.yaml');
  writeFileSync(
    task,
    'id: slow\ninstructions: write a file and say done\n' +
      `scorer: ${opts.scorer ?? '{ type: command, command: test -f out.txt }'}\n` +
      (opts.taskExtra ?? '') +
      'sim:\n  steps:\n    - shell: echo ok > out.txt && sleep 0.3 && cat out.txt\n  final: done\n',
  );
  writeFileSync(
    join(dir, 'suite.yaml'),
    `name: timers\ntasks: [slow]\nvariants:\n  - name: v\n    instructions: be brief\n${opts.variantExtra ?? ''}`,
  );
  return { suite: join(dir, 'suite.yaml'), task };
}

describe('timeouts past the timer limit (issue 12, finding 6)', () => {
  beforeAll(() => assertBuilt());

  it("Node's own timers: past 2^31-1 ms a timer fires at once; a clamped one stays pending", async () => {
    const fired = (ms: number) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), ms);
        setTimeout(() => {
          clearTimeout(timer);
          resolve(false);
        }, 200);
      });
    const past = MAX_WALL_TIMEOUT_S * 1000 * 4; // 28 days
    expect(past).toBeGreaterThan(MAX_TIMER_MS);
    const warnings: unknown[] = [];
    const onWarning = (w: unknown) => warnings.push(w);
    process.on('warning', onWarning);
    expect(await fired(past)).toBe(true); // the overflow the finding is about
    expect(await fired(timerDelay(past))).toBe(false);
    process.off('warning', onWarning);
  });

  const tooLong: Array<[string, SuiteOpts, RegExp, string[]]> = [
    [
      'limits.wall_timeout_s',
      { taskExtra: 'limits: { wall_timeout_s: 2200000 }\n' },
      /task\.yaml:\d+: limits\.wall_timeout_s: at most 604800/,
      [],
    ],
    [
      'limits.command_timeout_s',
      { taskExtra: 'limits: { command_timeout_s: 2200000 }\n' },
      /task\.yaml:\d+: limits\.command_timeout_s: at most 86400/,
      [],
    ],
    [
      'scorer.timeout_s',
      { scorer: '{ type: command, command: "true", timeout_s: 2200000 }' },
      /task\.yaml:\d+: scorer\.timeout_s: at most 86400/,
      [],
    ],
    [
      'request_timeout_s',
      { variantExtra: '    request_timeout_s: 2200000\n' },
      /suite\.yaml:\d+: variants\[0\]\.request_timeout_s: at most 86400/,
      [],
    ],
    [
      'sim latency',
      { variantExtra: '    sim: { latency: { ttft_ms: 2200000000 } }\n' },
      /suite\.yaml:\d+: variants\[0\]\.sim\.latency\.ttft_ms: at most 3600000/,
      [],
    ],
    ['--grace', {}, /--grace: at most 86400/, ['--grace', '2200000']],
  ];
  for (const [what, opts, message, flags] of tooLong) {
    it(`refuses ${what} past its maximum with exit 2, before any folder or container`, async () => {
      const { suite } = suiteWith(opts);
      const resultsDir = mkdtempSync(join(tmpdir(), 'tb-timers-res-'));
      const runId = `long-${process.pid}-${what.replace(/[^a-z]/g, '')}`;
      const r = await runCli(['run', suite, '--run-id', runId, '--results-dir', resultsDir, ...flags]);
      expect(r.code, r.stderr).toBe(2);
      // one line naming the file and field (commander adds a usage hint after a bad flag)
      expect(r.stderr.trim().split('\n')[0]).toMatch(message);
      if (flags.length === 0) expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(resultsDir, runId))).toBe(false);
      expect(await turnbenchContainers(runId)).toEqual([]);
    });
  }

  it('every timeout at its maximum: a Docker run where nothing fires early', async () => {
    const max = MAX_STEP_TIMEOUT_S;
    const { suite } = suiteWith({
      taskExtra: `limits: { wall_timeout_s: ${MAX_WALL_TIMEOUT_S}, command_timeout_s: ${max} }\nsetup: ["sleep 0.2"]\n`,
      scorer: `{ type: command, command: "sleep 0.2 && test -f out.txt", timeout_s: ${max} }`,
      variantExtra: `    request_timeout_s: ${max}\n    sim: { latency: { ttft_ms: 300 }, faults: { rate_slow: 1, slow_ms: 300 } }\n`,
    });
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-timers-max-'));
    const r = await runCli([
      'run',
      suite,
      '--run-id',
      'max',
      '--results-dir',
      resultsDir,
      '--grace',
      String(max),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [sample] = readJsonl(join(resultsDir, 'max/samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(sample?.status).toBe('completed');
    expect(sample?.passed).toBe(true);
    expect(sample?.error).toBeNull();
    const events = readJsonl(join(resultsDir, 'max/events.jsonl')).map((l) => EventRecordSchema.parse(l));
    const shell = events.find((e) => e.type === 'tool_call');
    expect(shell?.type === 'tool_call' && shell.ok && shell.error === null).toBe(true);
    expect(events.some((e) => e.type === 'sandbox' && e.action === 'setup')).toBe(true);
    expect(await turnbenchContainers('max')).toEqual([]);
  }, 180_000);
});
