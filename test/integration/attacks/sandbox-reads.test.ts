import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventRecordSchema, SampleRecordSchema, type ToolCallEvent } from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli } from '../cli/helpers.js';

/**
 * Finding 13 of issue 12: `read_file /dev/zero` ignored the command timeout (Docker: `cat` for the
 * fixed 60 s file timeout; local: Node reading an endless device into memory). Reads are now
 * bounded by size and the command timeout, and what is not a regular file is refused.
 */

const READS = ['/dev/zero', '/dev/urandom', 'zero-link', 'pipe', 'sparse.bin', 'ok.txt'];

function suite(): string {
  const root = mkdtempSync(join(tmpdir(), 'tb-reads-'));
  mkdirSync(join(root, 't'));
  const steps = READS.map((path) => `    - tool: read_file\n      args: { path: ${path} }\n`).join('');
  writeFileSync(
    join(root, 't/task.yaml'),
    'id: t\ninstructions: read the files\nlimits: { command_timeout_s: 3, wall_timeout_s: 300 }\n' +
      'files: [{ path: ok.txt, content: "fine\\n" }]\n' +
      'setup: ["ln -s /dev/zero zero-link && mkfifo pipe && truncate -s 1G sparse.bin"]\n' +
      'scorer: { type: match, expected: done }\n' +
      `sim:\n  steps:\n${steps}  final: done\n`,
  );
  writeFileSync(
    join(root, 'suite.yaml'),
    'name: reads\ntasks: [t]\nvariants:\n  - name: v\n    instructions: be brief\n',
  );
  return join(root, 'suite.yaml');
}

describe('read_file on endless and huge files (issue 12, finding 13)', () => {
  beforeAll(() => assertBuilt());

  for (const sandbox of ['docker', 'local'] as const) {
    it(`${sandbox}: every read ends within the command timeout, as a tool error, and the sample goes on`, async () => {
      const resultsDir = mkdtempSync(join(tmpdir(), `tb-reads-${sandbox}-`));
      const r = await runCli(
        ['run', suite(), '--sandbox', sandbox, '--run-id', 'reads', '--results-dir', resultsDir],
        {
          timeoutMs: 200_000,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      const [sample] = readJsonl(join(resultsDir, 'reads/samples.jsonl')).map((l) =>
        SampleRecordSchema.parse(l),
      );
      expect(sample?.status).toBe('completed');
      expect(sample?.passed).toBe(true);
      const calls = readJsonl(join(resultsDir, 'reads/events.jsonl'))
        .map((l) => EventRecordSchema.parse(l))
        .filter((e): e is ToolCallEvent => e.type === 'tool_call');
      expect(calls.map((c) => c.ok)).toEqual([false, false, false, false, false, true]);
      for (const call of calls.slice(0, 5)) {
        expect(call.error).toBe('sandbox_error');
        // the command timeout is 3 s; the old Docker read took 60 s, the old local one never ended
        expect(call.duration_ms).toBeLessThan(3000 + 5000);
      }
    }, 240_000);
  }
});
