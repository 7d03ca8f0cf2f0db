import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyTotals } from '../src/agent/index.js';
import { RecordingProxy, RecordThread } from '../src/agents/index.js';
import { DEFAULT_LIMITS, loadPricing } from '../src/config/index.js';
import type { Timing } from './proxy-client.js';
import { round } from './util.js';

/**
 * The recording proxy's cost, as an agent sees it: the same conversation (200 streamed Responses
 * requests growing to ~100k tokens) sent to the sim directly, through the proxy (its unix socket,
 * as a sandbox reaches it), and through two floors (a pass-through Node HTTP proxy and a byte
 * relay), every turn down all four paths in orders that change turn by turn (each path first,
 * second... and after each other path equally often: bench/util.ts balancedOrders), so that each
 * path meets the same machine, the same warm caches and the same JIT state. As in a real run the agent
 * (bench/proxy-client.ts), the proxy (here, its records built in its recording thread) and the
 * sim (`turnbench sim`) are processes of their own; the floors are a fourth. Per request: the time
 * to the first output event and to the end of the answer; a hop's added time is the per-turn
 * difference against the direct request. A 5 ms pause between turns stands for the agent running
 * its tool.
 */

const PAUSE_MS = Number(process.env.TB_BENCH_PAUSE_MS ?? 5);
/** Turns sent untimed through every path first (connections, JIT). */
const WARM_UP_TURNS = 5;
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

interface ClientTimings {
  direct: Timing[];
  /** Per hop, in the order of the sockets given. */
  hops: Timing[][];
}

function runClient(simUrl: string, socketPaths: string[]): Promise<ClientTimings> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(here, 'proxy-client.js'), simUrl, String(PAUSE_MS), String(WARM_UP_TURNS), ...socketPaths],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the bench client exited with ${code}`));
      else resolve(JSON.parse(out) as ClientTimings);
    });
  });
}

/** The floors (bench/hop-floors.ts) in a child process, so this process's CPU is the recording proxy's. */
function startFloors(simOrigin: string, dir: string): Promise<{ sockets: string[]; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'hop-floors.js'), simOrigin, dir], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready'))
        resolve({
          sockets: [join(dir, 'pass-through.sock'), join(dir, 'byte-relay.sock')],
          stop: () => child.stdin?.end(),
        });
    });
    child.on('exit', (code) => reject(new Error(`the floors exited (${code})`)));
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
    const floors = await startFloors(sim.url.origin, dir);
    const cpu0 = process.cpuUsage();
    const timings = await runClient(sim.url.href, [socketPath, ...floors.sockets]).finally(floors.stop);
    await recorder.close();
    const cpu = process.cpuUsage(cpu0);
    const proxyCpuMs = (cpu.user + cpu.system) / 1000;
    const d = timings.direct;
    const [p, passThrough, relay] = timings.hops as [Timing[], Timing[], Timing[]];
    const addedOver = (hop: Timing[]) => d.map((x, i) => hop[i]!.total - x.total);
    const proxiedRequests = p.length + WARM_UP_TURNS;
    const addedTotal = addedOver(p);
    const addedTtft = d.map((x, i) => p[i]!.ttft - x.ttft);
    const added = median(addedTotal);
    const passThroughAdded = addedOver(passThrough);
    // Codex's own requests are 40-90 KB in the tasks we run; the long tail of this conversation is larger
    const small = d.map((x, i) => (x.bytes < 100_000 ? i : -1)).filter((i) => i >= 0);
    return {
      requests: d.length,
      warm_up_turns: WARM_UP_TURNS,
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
      // the floors, in the same turns (bench/pass-through-proxy.ts, in a process of their own): a
      // Node process that only pipes HTTP (no recording, no redaction), and one that relays bytes
      // without parsing HTTP, the least any hop costs
      pass_through_added_total: stats(passThroughAdded),
      added_total_over_pass_through_ms: round(added - median(passThroughAdded), 3),
      byte_relay_added_total: stats(addedOver(relay)),
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
