import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type SimServer, startSimServer } from '../../../src/sim/index.js';
import { loadSuite } from '../../../src/tasks/index.js';
import { listenOnLoopback } from '../../helpers/loopback.js';

const execFileAsync = promisify(execFile);

/** A sim for a suite's tasks, as `turnbench sim --suite` would serve it. */
export async function simForSuite(suiteFile: string): Promise<SimServer> {
  const suite = await loadSuite(suiteFile);
  const sim = await startSimServer({});
  for (const task of suite.tasks)
    if (task.spec.sim) sim.scripts.register(task.spec.instructions, task.spec.sim);
  return sim;
}

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  upgrade: boolean;
  body: string;
}

/**
 * A provider stand-in in front of the sim: it notes what reached the provider (the path, the key
 * the proxy sent, the body) and passes it on; the POSTs numbered in `failPosts` (1-based) are
 * answered 500 instead; `toSim` may change a body before the sim gets it (a provider that takes
 * what the sim would refuse). Upgrades are refused as the sim refuses them.
 */
export async function recordingUpstream(
  simUrl: string,
  opts: { failPosts?: number[]; toSim?: (body: Buffer) => Buffer } = {},
): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const target = new URL(simUrl);
  const seen: SeenRequest[] = [];
  let posts = 0;
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      upgrade: false,
      body: body.toString('utf8'),
    });
    if (req.method === 'POST' && opts.failPosts?.includes(++posts)) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'injected failure', type: 'server_error' } }));
      return;
    }
    const sent = opts.toSim ? opts.toSim(body) : body;
    const headers = { ...req.headers, 'content-length': String(sent.length) };
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(sent);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, res, Buffer.concat(chunks)));
  });
  server.on('upgrade', (req, socket) => {
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      upgrade: true,
      body: '',
    });
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function docker(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('docker', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** The id of the running container of a sample (by its label), once it exists. */
export async function containerOf(sampleId: string): Promise<string | null> {
  const out = await docker(['ps', '-q', '--filter', `label=turnbench.sample=${sampleId}`]);
  return out.trim().split('\n').filter(Boolean)[0] ?? null;
}

/**
 * The containers a run has had, by its `turnbench.run` label, gathered while it runs (they are
 * removed by the end): `stop()` ends the polling and gives their full ids.
 */
export function watchRunContainers(runId: string): { stop: () => Promise<Set<string>> } {
  const ids = new Set<string>();
  let running = true;
  const poll = (async () => {
    while (running) {
      const out = await docker(['ps', '-a', '-q', '--no-trunc', '--filter', `label=turnbench.run=${runId}`]);
      for (const id of out.split('\n').filter(Boolean)) ids.add(id.trim());
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await poll;
      return ids;
    },
  };
}

/**
 * Host processes whose command line contains `needle` and that run in one of `containers` (by
 * their cgroup, which names the container's id): other runs' processes on a shared engine are
 * not counted.
 */
export async function processesIn(containers: ReadonlySet<string>, needle: string): Promise<string[]> {
  const lines = await hostProcesses(needle);
  return lines.filter((line) => {
    const pid = line.trim().split(/\s+/)[0];
    let cgroup = '';
    try {
      cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    } catch {
      return false; // gone since ps listed it
    }
    return [...containers].some((id) => cgroup.includes(id));
  });
}

/** Host processes whose command line contains `needle` (processes in containers show up too). */
export async function hostProcesses(needle: string): Promise<string[]> {
  const { stdout } = await execFileAsync('ps', ['-eo', 'pid=,args=']);
  return stdout.split('\n').filter((line) => line.includes(needle) && !line.includes('ps -eo'));
}

/** Every file under a folder, recursively. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Lines of a Codex rollout file, parsed. */
export function rolloutLines(file: string): Array<{ type: string; payload: Record<string, unknown> }> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; payload: Record<string, unknown> });
}

export async function waitFor<T>(
  probe: () => Promise<T | null> | T | null,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
