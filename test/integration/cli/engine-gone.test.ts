import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunManifestSchema, SampleRecordSchema } from '../../../src/telemetry/index.js';
import {
  assertBuilt,
  REPO,
  readJsonl,
  runCli,
  spawnCli,
  turnbenchContainers,
  uniqueRunId,
  waitForFinished,
} from './helpers.js';

const RUN = uniqueRunId('eng');

/**
 * A tcp:// "engine" that is a relay to the shared Docker engine's socket, so the engine can vanish
 * for this test alone: closing the relay (and every connection through it) is, to turnbench, the
 * engine going away mid-run. The shared dockerd is never touched.
 */
class EngineRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(port = 0): Promise<void> {
    const server = createServer((client) => {
      const engine = connect('/var/run/docker.sock');
      for (const s of [client, engine]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          engine.destroy();
        });
      }
      client.pipe(engine).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async kill(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('the engine goes away in the middle of a run', () => {
  const relay = new EngineRelay();
  afterAll(() => relay.kill());

  it('stops the run, records errors (never scores), exits non-zero, and a resume reruns them', async () => {
    assertBuilt();
    await relay.start();
    const dir = mkdtempSync(join(tmpdir(), 'tb-engine-'));
    const suite = join(dir, 'suite.yaml');
    writeFileSync(
      suite,
      [
        'name: engine-gone',
        'tasks:',
        `  - ${join(REPO, 'tasks/demo/hello-files')}`,
        `  - ${join(REPO, 'tasks/demo/fix-script')}`,
        'epochs: 4',
        'concurrency: { samples: 3 }',
        'sandbox:',
        `  engines: [{ host: "tcp://127.0.0.1:${relay.port}", max: 6 }]`,
        'variants:',
        '  - name: slow',
        '    provider: sim',
        '    instructions: You are a careful coding agent working in a sandbox.',
        '    sim: { latency: { ttft_ms: 1500 } }',
        '',
      ].join('\n'),
    );
    const resultsDir = join(dir, 'results');
    const child = spawnCli(['run', suite, '--run-id', RUN, '--results-dir', resultsDir]);
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await waitForFinished(() => stderr, 2, 200_000);
    await relay.kill();
    const code = await exited;

    expect(code, stderr.slice(-3000)).toBe(1);
    expect(stderr).toMatch(/stopping: the sandbox engine stopped answering \(.*127\.0\.0\.1/);
    expect(stderr).toContain(`run ${RUN} failed: the sandbox engine stopped answering`);
    expect(stderr).not.toMatch(/\n\s+at /);

    const runDir = join(resultsDir, RUN);
    const manifest = RunManifestSchema.parse(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')));
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toMatch(/engine stopped answering/);
    const first = readJsonl(join(runDir, 'samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(first.length).toBeLessThan(manifest.sample_ids.length);
    const unscored = first.filter((s) => s.status === 'error' || s.status === 'cancelled');
    expect(unscored.length).toBeGreaterThan(0);
    for (const s of first) {
      // A sample the engine failed has no score; a scored one is a real pass (these tasks pass).
      if (s.status === 'error' || s.status === 'cancelled') {
        expect(s, s.sample_id).toMatchObject({ passed: null, score: null });
      } else {
        expect(s, `${s.sample_id}: ${s.score_detail}`).toMatchObject({ status: 'completed', passed: true });
      }
      expect(s.score_detail ?? '').not.toMatch(/scorer error/);
    }
    expect(first.some((s) => s.error?.kind === 'engine_unavailable')).toBe(true);

    // The engine is back (same address): the resume removes what the dead run left on it and
    // runs exactly the samples without a result.
    await relay.start(relay.port);
    const resumed = await runCli(['run', '--resume', RUN, '--results-dir', resultsDir], {
      timeoutMs: 240_000,
    });
    expect(resumed.code, resumed.stderr.slice(-2000)).toBe(0);
    const done = first.filter((s) => s.status === 'completed').length;
    expect(resumed.stderr).toContain(`resuming: ${done} samples already finished`);
    const byId = new Map(
      readJsonl(join(runDir, 'samples.jsonl'))
        .map((l) => SampleRecordSchema.parse(l))
        .map((s) => [s.sample_id, s]),
    );
    expect([...byId.keys()].sort()).toEqual([...manifest.sample_ids].sort());
    for (const s of byId.values())
      expect(s, s.sample_id).toMatchObject({ status: 'completed', passed: true });
    expect(readJsonl(join(runDir, 'samples.jsonl'))).toHaveLength(manifest.sample_ids.length);
    expect(await turnbenchContainers(RUN)).toEqual([]);
  }, 480_000);
});
