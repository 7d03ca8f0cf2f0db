/** Every benchmark `npm run bench` knows, in the order they run by default. Loaded lazily. */

export type BenchFigures = Record<string, unknown>;

export interface BenchDefinition {
  about: string;
  run: () => Promise<BenchFigures>;
}

export const BENCHMARKS = {
  sim: {
    about:
      'sim server time per request over a 200-turn conversation; requests/s at 64 streams; sim CPU per ~40 KB request',
    run: async () => (await import('./sim.js')).benchSim(),
  },
  floor: {
    about:
      'turnbench CPU vs a bare openai client sending the same bodies: 500 single-turn, 50 x 20-turn samples',
    run: async () => (await import('./floor.js')).benchFloor(),
  },
  startup: {
    about: 'whole-process CPU of --help and of a 1-sample run vs a bare openai client start and request',
    run: async () => (await import('./startup.js')).benchStartup(),
  },
  memory: {
    about:
      'a single-turn run (BENCH_MEMORY_SAMPLES, default 10,000): `node --max-old-space-size=128 turnbench run` vs the same command with the default heap',
    run: async () => (await import('./memory.js')).benchMemory(),
  },
  docker: {
    about: 'single-turn Docker sample vs a local one at steady state, concurrency 4; the engine floor',
    run: async () => (await import('./docker.js')).benchDocker(),
  },
  transport: {
    about: 'bytes sent and median request time over WebSocket vs HTTP, 50-turn conversation',
    run: async () => (await import('./transport.js')).benchTransport(),
  },
  prefix: {
    about: 'prefix-check cost per turn at 100k-token contexts',
    run: async () => (await import('./prefix.js')).benchPrefix(),
  },
  tokens: {
    about: 'token counting of 1 MB without whitespace (bounded) vs the plain library on 1 MB of prose',
    run: async () => (await import('./tokens.js')).benchTokens(),
  },
  runner: {
    about: 'samples/min at concurrency 1, 4, 16; harness CPU per turn; memory of a 10,000-sample run',
    run: async () => (await import('./runner.js')).benchRunner(),
  },
  sandbox: {
    about: 'tool exec overhead vs raw dockerode and docker exec; container start vs docker run --rm',
    run: async () => (await import('./sandbox.js')).benchSandbox(),
  },
  proxy: {
    about: "the recording proxy's added time per request and on time to first token, vs the sim directly",
    run: async () => (await import('./proxy.js')).benchProxy(),
  },
  redact: {
    about:
      "the proxy's stream redaction of a 1 MB answer in 200 B and 16 KB chunks vs one redact() of the whole",
    run: async () => (await import('./redact.js')).benchRedact(),
  },
  report: {
    about: 'report generation over a 10,000-sample, 500,000-turn run',
    run: async () => (await import('./report.js')).benchReport(),
  },
  ingest: {
    about: 'ingest of a 100 MB Codex session log: MB/s and peak memory vs a line count of the same file',
    run: async () => (await import('./ingest.js')).benchIngest(),
  },
  peers: {
    about:
      'whole process tree CPU: turnbench vs promptfoo on 500 single-turn requests, vs Codex CLI per agent turn (20-turn conversations)',
    run: async () => (await import('./peers.js')).benchPeers(),
  },
  adaptive: {
    about: 'wall time of a rate-limited run: adaptive concurrency (AIMD) vs a fixed limit at the ceiling',
    run: async () => (await import('./adaptive.js')).benchAdaptive(),
  },
} as const satisfies Record<string, BenchDefinition>;

export type BenchName = keyof typeof BENCHMARKS;

export const BENCH_NAMES = Object.keys(BENCHMARKS) as [BenchName, ...BenchName[]];
