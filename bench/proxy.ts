import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyTotals } from '../src/agent/index.js';
import { RecordingProxy, RecordThread } from '../src/agents/index.js';
import { DEFAULT_LIMITS, loadPricing } from '../src/config/index.js';
import { startByteRelay, startPassThrough } from './pass-through-proxy.js';
import type { Timing } from './proxy-client.js';
import { round } from './util.js';

/**
 * The recording proxy's cost, as an agent sees it: the same conversation (200 streamed Responses
 * requests growing to ~100k tokens) sent to the sim directly and through the proxy (its unix
 * socket, as a sandbox reaches it), turn by turn in alternating order, in the same run. Three
 * processes, as in a real run: the agent (bench/proxy-client.ts), the proxy (here), the sim
 * (`turnbench sim`), the records built in the proxy's recording thread as in a run. Per request:
 * the time to the first output event and to the end of the answer; the proxy's added time is the
 * per-turn difference. A 5 ms pause between turns stands
 * for the agent running its tool.
 */

const PAUSE_MS = Number(process.env.TB_BENCH_PAUSE_MS ?? 5);
const here = dirname(fileURLToPath(import.meta.url));

function startSim(): Promise<{ url: URL; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, '../src/cli/main.js'), 'sim', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ url: new URL(`${m[1]}/v1/responses`), stop: () => child.kill() });
    });
    child.on('exit', (code) => reject(new Error(`the sim exited (${code})`)));
  });
}

function runClient(simUrl: string, socketPath: string): Promise<{ direct: Timing[]; proxied: Timing[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(here, 'proxy-client.js'), simUrl, socketPath, String(PAUSE_MS)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the bench client exited with ${code}`));
      else resolve(JSON.parse(out) as { direct: Timing[]; proxied: Timing[] });
    });
  });
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)] ?? 0;
const p99 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0;
const stats = (xs: number[]) => ({ median_ms: round(median(xs), 3), p99_ms: round(p99(xs), 3) });

export async function benchProxy(): Promise<Record<string, unknown>> {
  const sim = await startSim();
  const dir = mkdtempSync(join(tmpdir(), 'tb-bench-proxy-'));
  const proxy = new RecordingProxy();
  let records = 0;
  // as in a run: the records are read and checked in the recording thread
  const thread = new RecordThread(await loadPricing(undefined));
  const recorder = thread.open({
    identity: { runId: 'bench', sampleId: 's', taskId: 't', variant: 'v', epoch: 1 },
    provider: 'sim',
    sink: { turn: () => records++, event: () => {} },
    totals: emptyTotals(),
    limits: { ...DEFAULT_LIMITS, max_turns: 100_000, max_total_tokens: 1e12 },
    onLimit: () => {},
  });
  const socketPath = join(dir, 'proxy.sock');
  const listener = await proxy.openSample(
    {
      upstream: { baseURL: sim.url.href.replace(/\/responses$/, ''), apiKey: 'bench-key' },
      recorder,
      retries: 'agent',
      signal: new AbortController().signal,
      runId: 'bench',
      sampleId: 's',
    },
    { socketPath },
  );
  try {
    // The recording thread up and its modules loaded before the CPU is read: one round trip
    recorder.note('bench: warm-up');
    await recorder.settled();
    const cpu0 = process.cpuUsage();
    const { direct: d, proxied: p } = await runClient(sim.url.href, socketPath);
    await recorder.close();
    const cpu = process.cpuUsage(cpu0);
    const proxyCpuMs = (cpu.user + cpu.system) / 1000;
    // the same conversation through the pass-through floor (bench/pass-through-proxy.ts), after
    const floorSocket = join(dir, 'floor.sock');
    const floorProxy = await startPassThrough(floorSocket, new URL(sim.url.origin));
    const floor = await runClient(sim.url.href, floorSocket).finally(() => floorProxy.close());
    const floorAdded = median(floor.direct.map((x, i) => floor.proxied[i]!.total - x.total));
    // and through a byte relay (bench/pass-through-proxy.ts), the least any hop costs
    const relaySocket = join(dir, 'relay.sock');
    const byteRelay = await startByteRelay(relaySocket, new URL(sim.url.origin));
    const relay = await runClient(sim.url.href, relaySocket).finally(() => byteRelay.close());
    // the client warms up with 5 proxied requests before the measured ones
    const proxiedRequests = p.length + 5;
    const addedTotal = d.map((x, i) => p[i]!.total - x.total);
    const addedTtft = d.map((x, i) => p[i]!.ttft - x.ttft);
    const added = median(addedTotal);
    // Codex's own requests are 40-90 KB in the tasks we run; the long tail of this conversation is larger
    const small = d.map((x, i) => (x.bytes < 100_000 ? i : -1)).filter((i) => i >= 0);
    return {
      requests: d.length,
      pause_between_turns_ms: PAUSE_MS,
      direct: { total: stats(d.map((x) => x.total)), ttft: stats(d.map((x) => x.ttft)) },
      proxied: { total: stats(p.map((x) => x.total)), ttft: stats(p.map((x) => x.ttft)) },
      added_total: stats(addedTotal),
      added_ttft: stats(addedTtft),
      added_total_bodies_under_100kb: { requests: small.length, ...stats(small.map((i) => addedTotal[i]!)) },
      added_total_bodies_over_100kb: {
        requests: d.length - small.length,
        ...stats(addedTotal.filter((_, i) => !small.includes(i))),
      },
      // turn i: the direct request went first for even i, the proxied one for odd i (the second
      // of a pair may find the sim's caches warm); the two halves show the order's effect
      added_total_direct_first: stats(addedTotal.filter((_, i) => i % 2 === 0)),
      added_total_proxied_first: stats(addedTotal.filter((_, i) => i % 2 === 1)),
      // a Node process that only pipes (no recording, no redaction), in a second pass: the hop's own cost
      pass_through_added_total: stats(floor.direct.map((x, i) => floor.proxied[i]!.total - x.total)),
      added_total_over_pass_through_ms: round(added - floorAdded, 3),
      // a Node process relaying the bytes without parsing HTTP, in a third pass: any hop's own cost
      byte_relay_added_total: stats(relay.direct.map((x, i) => relay.proxied[i]!.total - x.total)),
      // the proxy process's CPU per proxied request, both threads (forwarding; reading and
      // checking the request for its record), GC included; the recording thread's start is not,
      // its first token count (loading the tokeniser's tables, ~0.25 s) is
      proxy_cpu_ms_per_request: round(proxyCpuMs / proxiedRequests, 3),
      load_average_1m_at_end: round(loadavg()[0] ?? 0),
      records,
      target_added_median_ms: 1,
      target_met: added <= 1,
    };
  } finally {
    await listener.close();
    await proxy.close();
    await thread.close();
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
