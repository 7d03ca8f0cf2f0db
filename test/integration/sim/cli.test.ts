import { once } from 'node:events';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { describe, expect, test } from 'vitest';
import { assertBuilt, runCli, spawnCli } from '../cli/helpers.js';

async function firstLine(child: ReturnType<typeof spawnCli>): Promise<string> {
  let buffer = '';
  for await (const chunk of child.stdout ?? []) {
    buffer += String(chunk);
    if (buffer.includes('\n')) break;
  }
  return buffer.split('\n')[0] ?? '';
}

describe('turnbench sim', () => {
  test('prints one listening line, serves the SDK with the suite scripts, stops on SIGTERM', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'tb-sim-cli-'));
    const task = join(dir, 'hello');
    mkdirSync(task);
    writeFileSync(
      join(task, 'task.yaml'),
      [
        'id: hello',
        'instructions: Say hello from the sim CLI test.',
        'scorer: { type: match, expected: hello }',
        'sim:',
        '  steps: [{ shell: "echo hi" }]',
        '  final: hello',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'suite.yaml'),
      ['name: s', 'tasks: [hello]', 'variants: [{ name: v, instructions: be brief }]'].join('\n'),
    );
    const child = spawnCli(['sim', '--port', '0', '--seed', '3', '--suite', join(dir, 'suite.yaml')]);
    try {
      const line = await firstLine(child);
      expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
      const client = new OpenAI({
        baseURL: `${line.slice('listening on '.length)}/v1`,
        apiKey: 'x',
        maxRetries: 0,
      });
      const r = await client.responses.create({ model: 'sim-1', input: 'Say hello from the sim CLI test.' });
      const call = r.output[0];
      expect(call?.type === 'function_call' && call.name).toBe('shell');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'close')) as [number | null];
    expect(code).toBe(0);
  });

  test('bad flags exit non-zero with one message', async () => {
    assertBuilt();
    const r = await runCli(['sim', '--faults', '{"rate_429": 3}'], { timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--faults: rate_429/);
    const preset = await runCli(['sim', '--latency', 'warp'], { timeoutMs: 30_000 });
    expect(preset.code).not.toBe(0);
    expect(preset.stderr).toMatch(/unknown preset "warp"/);
  });
});
