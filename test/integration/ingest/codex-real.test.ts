import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingestCodexRollout, readCodexRollout } from '../../../src/ingest/index.js';
import type { IngestedRequest } from '../../../src/ingest/types.js';
import { type SimServer, startSimServer } from '../../../src/sim/index.js';
import { countO200kTokens, fingerprintItems, renderedResponsesItem } from '../../../src/telemetry/index.js';
import { lastTotalTokenUsage, sumTurns } from '../../unit/ingest/helpers.js';
import { REPO } from '../cli/helpers.js';

const CODEX = join(REPO, 'node_modules/.bin/codex');
const TASK = 'Count the files here, then print the date and the kernel name.';

interface Exchange {
  body: { instructions?: string; input: { role?: string }[]; reasoning?: { effort?: string } };
  usage: {
    input_tokens: number;
    input_tokens_details?: { cached_tokens?: number };
    output_tokens: number;
  } | null;
}

/** A relay between Codex and the sim that keeps each request body and the usage the sim answered with. */
function relay(target: number, exchanges: Exchange[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const exchange: Exchange | null =
        req.method === 'POST' && req.url === '/v1/responses'
          ? { body: JSON.parse(body.toString('utf8')), usage: null }
          : null;
      if (exchange) exchanges.push(exchange);
      const up = httpRequest(
        { host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          let text = '';
          r.on('data', (c: Buffer) => {
            text += c.toString('utf8');
            res.write(c);
          });
          r.on('end', () => {
            res.end();
            const done = text.split('\n').find((l) => l.includes('"response.completed"'));
            if (exchange && done) exchange.usage = JSON.parse(done.replace(/^data: /, '')).response.usage;
          });
        },
      );
      up.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function codex(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(CODEX, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

let sim: SimServer;
let proxy: Server;
const exchanges: Exchange[] = [];
const home = mkdtempSync(join(tmpdir(), 'tb-codex-home-'));
const work = join(home, 'work');

beforeAll(async () => {
  sim = await startSimServer();
  sim.scripts.register(TASK, {
    steps: [
      { tool: 'exec_command', args: { cmd: 'ls -1 | wc -l' } },
      {
        parallel: [
          { tool: 'exec_command', args: { cmd: 'date -u +%Y' } },
          { tool: 'exec_command', args: { cmd: 'uname -s' } },
        ],
      },
    ],
    final: 'Counted the files and printed the date and the kernel name.',
    reasoning_tokens: 8,
  });
  proxy = await relay(sim.port, exchanges);
  mkdirSync(work);
  const port = (proxy.address() as AddressInfo).port;
  writeFileSync(
    join(home, 'config.toml'),
    [
      'model = "sim-exact"',
      'model_provider = "tbsim"',
      'model_reasoning_effort = "low"',
      '',
      '[model_providers.tbsim]',
      'name = "turnbench sim"',
      `base_url = "http://127.0.0.1:${port}/v1"`,
      'wire_api = "responses"',
      'env_key = "TBSIM_KEY"',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await sim?.close();
  rmSync(home, { recursive: true, force: true });
});

function rolloutFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.startsWith('rollout-') && e.name.endsWith('.jsonl'))
    .map((e) => join(e.parentPath, e.name));
}

describe('the real Codex CLI against the sim, then ingest of the log it wrote', () => {
  test('the ingested turns are the requests Codex sent, with the usage the server answered', async () => {
    const env = { CODEX_HOME: home, TBSIM_KEY: 'not-a-secret' };
    const flags = ['--dangerously-bypass-approvals-and-sandbox', '--skip-git-repo-check'];
    const first = await codex(['exec', ...flags, TASK], env, work);
    expect(first.code, first.out).toBe(0);
    const session = /session id: ([0-9a-f-]{36})/.exec(first.out)?.[1];
    expect(session, first.out).toBeDefined();
    const resumed = await codex(
      ['exec', ...flags, '-c', 'model_reasoning_effort=high', 'resume', session!, 'Say it again.'],
      env,
      work,
    );
    expect(resumed.code, resumed.out).toBe(0);

    const files = rolloutFiles(join(home, 'sessions'));
    expect(files).toHaveLength(1);
    const { turns, samples, warnings } = await ingestCodexRollout(files[0]!);
    expect(warnings).toEqual([]);
    expect(turns).toHaveLength(exchanges.length);
    expect(turns.length).toBeGreaterThanOrEqual(4);

    const requests: IngestedRequest[] = [];
    for await (const e of readCodexRollout(files[0]!)) if (e.type === 'request') requests.push(e.request);
    expect(requests).toHaveLength(exchanges.length);
    turns.forEach((turn, i) => {
      const { body, usage } = exchanges[i]!;
      // usage exactly as the server reported it
      expect(turn.input_tokens).toBe(usage?.input_tokens);
      expect(turn.cached_tokens).toBe(usage?.input_tokens_details?.cached_tokens ?? 0);
      expect(turn.output_tokens).toBe(usage?.output_tokens);
      // the rebuilt item list is the request's input: Codex sends its base instructions first (no
      // `instructions` field), then the history the log holds, item for item as rendered
      expect(body.instructions).toBeUndefined();
      expect(body.input[0]?.role).toBe('developer');
      expect(turn.item_count).toBe(body.input.length);
      const sent = fingerprintItems(body.input.map(renderedResponsesItem), countO200kTokens).hashes;
      const rebuilt = requests[i]!.prompt!.fingerprint;
      expect(rebuilt.itemHashes.slice(1)).toEqual(sent.slice(1));
      expect(rebuilt.itemDigests[0]?.label).toBe('message/developer');
      expect(rebuilt.itemHashes[0]).toBe(requests[0]!.prompt!.fingerprint.itemHashes[0]);
    });
    expect(sumTurns(turns)).toEqual(lastTotalTokenUsage(files[0]!));
    expect(samples[0]!.tags).toEqual(expect.arrayContaining(['codex:0.171.0', 'effort:low', 'effort:high']));
    // the resumed turn raised the effort: a settings break, found by the prefix check
    const resumedTurn = turns.find(
      (t) => t.turn > 1 && exchanges[t.turn - 1]!.body.reasoning?.effort === 'high',
    );
    expect(resumedTurn?.prefix.reason).toBe('settings_changed');
    expect(turns.filter((t) => t.turn > 1 && t !== resumedTurn).every((t) => t.prefix.extends_previous)).toBe(
      true,
    );
  });
});
