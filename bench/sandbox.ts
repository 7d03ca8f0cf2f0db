import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { DockerSandboxProvider, type SandboxSpec } from '../src/sandbox/index.js';
import { target } from './targets.js';

const execFileAsync = promisify(execFile);
const EXEC_ROUNDS = 30;
const CONTAINER_ROUNDS = 6;
const TARGET_EXEC_RATIO_VS_RAW = 1.1;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (n: number) => Math.round(n * 100) / 100;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** The baseline a hand-written integration would do: create, start, demux, read the exit code. */
async function rawDockerodeExec(
  docker: Dockerode,
  container: Dockerode.Container,
  argv: string[],
): Promise<number> {
  const exec = await container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, User: '1000:1000' });
  const stream = await exec.start({});
  const drain = () => new Writable({ write: (_c, _e, done) => done() });
  docker.modem.demuxStream(stream, drain(), drain());
  await new Promise((resolve) => stream.on('end', resolve));
  return (await exec.inspect()).ExitCode ?? -1;
}

/**
 * Sandbox overheads against baselines measured in the same run: one tool command through our
 * exec (in-container timeout wrapper, capped demux) versus a raw dockerode exec and versus the
 * `docker exec` CLI; a sandbox's create+start+remove versus `docker run --rm`.
 */
export async function benchSandbox(): Promise<Record<string, unknown>> {
  const docker = new Dockerode();
  const provider = new DockerSandboxProvider({ docker });
  const image = await provider.ensureImage({ kind: 'base' });
  const runId = `bench-${randomUUID().slice(0, 8)}`;
  const spec: SandboxSpec = {
    image,
    workdir: '/workspace',
    files: [{ path: 'hello.txt', content: 'hello\n' }],
    labels: { 'turnbench.run': runId },
    limits: { memoryMb: 256, cpus: 1, pids: 128 },
    network: false,
  };
  try {
    const box = await provider.create(spec);
    const container = docker.getContainer(box.id);
    const argv = ['cat', 'hello.txt'];
    const ours: number[] = [];
    const raw: number[] = [];
    const cli: number[] = [];
    for (let i = 0; i < EXEC_ROUNDS + 3; i++) {
      // Interleaved so engine load drifts hit every method alike; the first 3 rounds warm up.
      const a = await timed(() => box.exec(argv, { timeoutMs: 10_000 }));
      const b = await timed(() => rawDockerodeExec(docker, container, argv));
      const c = await timed(() => execFileAsync('docker', ['exec', '-w', '/workspace', box.id, ...argv]));
      if (i >= 3) {
        ours.push(a);
        raw.push(b);
        cli.push(c);
      }
    }
    await box.destroy();

    const lifecycle: number[] = [];
    const cliRunRm: number[] = [];
    for (let i = 0; i < CONTAINER_ROUNDS; i++) {
      lifecycle.push(
        await timed(async () => {
          const sb = await provider.create(spec);
          await sb.destroy();
        }),
      );
      cliRunRm.push(
        await timed(() =>
          execFileAsync('docker', [
            'run',
            '--rm',
            '--network',
            'none',
            '--label',
            `turnbench.run=${runId}`,
            image,
            'true',
          ]),
        ),
      );
    }

    const exec = { ours: median(ours), raw: median(raw), cli: median(cli) };
    const start = { ours: median(lifecycle), cli: median(cliRunRm) };
    return {
      bench: 'sandbox',
      exec_rounds: EXEC_ROUNDS,
      exec_median_ms: round(exec.ours),
      exec_raw_dockerode_median_ms: round(exec.raw),
      exec_docker_cli_median_ms: round(exec.cli),
      exec_ratio_vs_raw_dockerode: round(exec.ours / exec.raw),
      exec_ratio_vs_docker_cli: round(exec.ours / exec.cli),
      exec_target_ratio_vs_raw: TARGET_EXEC_RATIO_VS_RAW,
      exec_meets_target: exec.ours / exec.raw <= TARGET_EXEC_RATIO_VS_RAW,
      container_rounds: CONTAINER_ROUNDS,
      sandbox_create_start_remove_median_ms: round(start.ours),
      docker_run_rm_cli_median_ms: round(start.cli),
      container_ratio_vs_docker_run_rm: round(start.ours / start.cli),
      note: 'ours = locked-down create + task files + start + force remove; baseline = `docker run --rm IMAGE true`',
      targets: [
        target({
          what: 'a tool call (sandbox exec of `cat hello.txt`) vs a raw dockerode exec of the same command',
          figure: exec.ours,
          baseline: exec.raw,
          unit: 'ms wall',
          limit: TARGET_EXEC_RATIO_VS_RAW,
          how: `median of ${EXEC_ROUNDS} interleaved rounds (3 warm-up rounds dropped), one warm container`,
        }),
      ],
    };
  } finally {
    await provider.removeByLabels({ 'turnbench.run': runId });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchSandbox(), null, 2));
}
