/**
 * One measured client process of the floor benchmark (forked by floor.ts with an IPC channel):
 * - `turnbench`: runs a suite with runSuite (local sandbox, the sim in another process);
 * - `floor`: a bare `openai` SDK client that sends recorded request bodies, conversation by
 *   conversation, `concurrency` conversations at a time, and reads every streamed event.
 * Each reports its own CPU (process.cpuUsage) over the work only: module loading and set-up come
 * before the first reading, so start-up is measured apart (bench/startup.ts).
 *
 * The floor mode imports nothing of turnbench, so its process holds what a bare client holds.
 * With `runTools` it also runs the `shell` calls of each response as child processes, the least a
 * bare agent loop must do for the same conversation.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { type WorkerJob, WorkerJobSchema, type WorkerResult } from './floor-protocol.js';

function measured<T>(work: () => Promise<T>): Promise<{ value: T; cpu: NodeJS.CpuUsage; wallMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return work().then((value) => ({ value, cpu: process.cpuUsage(cpu0), wallMs: performance.now() - t0 }));
}

/** `n` at a time over `items`, in order. */
async function pool<T>(items: T[], n: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await each(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
}

/**
 * The argv of every `shell` call in a completed response. Plain checks, not zod: the floor should
 * spend no more than a bare loop must (turnbench validates the same arguments with its own schema).
 */
function shellCalls(event: { response: { output: unknown[] } }): string[][] {
  const calls: string[][] = [];
  for (const item of event.response.output) {
    const call = item as { type?: unknown; name?: unknown; arguments?: unknown };
    if (call.type !== 'function_call' || call.name !== 'shell' || typeof call.arguments !== 'string')
      continue;
    const { command } = JSON.parse(call.arguments) as { command?: unknown };
    if (!Array.isArray(command) || command.length === 0 || !command.every((a) => typeof a === 'string'))
      throw new Error(`a shell call without an argv: ${call.arguments}`);
    calls.push(command);
  }
  return calls;
}

/** Runs argv in `cwd` and reads its output to the end, as a bare loop would before its next request. */
function runCommand([file, ...args]: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // The workspace as HOME and a small environment, as turnbench's local sandbox gives a command
    // (a login shell under the user's own HOME may run slow profile scripts).
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, TERM: 'dumb' };
    const child = spawn(file!, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${file} exited ${code}: ${Buffer.concat(output)}`)),
    );
  });
}

async function runFloor(job: Extract<WorkerJob, { mode: 'floor' }>): Promise<WorkerResult> {
  const { default: OpenAI } = await import('openai');
  const conversations = new Map<string, object[]>();
  for (const line of readFileSync(job.bodiesFile, 'utf8').split('\n')) {
    if (!line) continue;
    const { conversation, body } = JSON.parse(line) as { conversation: string; body: string };
    const list = conversations.get(conversation) ?? [];
    // Parsed before the clock starts: the floor is handed its request objects ready-made.
    list.push(JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as object);
    conversations.set(conversation, list);
  }
  const client = new OpenAI({ baseURL: job.baseURL, apiKey: 'bench-not-a-secret', maxRetries: 0 });
  let requests = 0;
  let toolCalls = 0;
  let notCompleted = 0;
  let firstProblem: string | null = null;
  const { cpu, wallMs } = await measured(() =>
    pool([...conversations.values()], job.concurrency, async (bodies) => {
      const workspace = job.runTools ? mkdtempSync(join(tmpdir(), 'turnbench-floor-')) : null;
      for (const body of bodies) {
        requests += 1;
        // The same call turnbench makes: a streamed create, every event read.
        const stream = await client.responses.create(
          body as Parameters<typeof client.responses.create>[0] & { stream: true },
        );
        let completed: { response: { output: unknown[] } } | null = null;
        for await (const event of stream) if (event.type === 'response.completed') completed = event;
        if (completed === null) {
          notCompleted += 1;
          firstProblem ??= 'a stream ended without response.completed';
        } else if (workspace !== null) {
          for (const argv of shellCalls(completed)) {
            toolCalls += 1;
            await runCommand(argv, workspace);
          }
        }
      }
      if (workspace !== null) rmSync(workspace, { recursive: true, force: true });
    }),
  );
  return {
    cpu_user_us: cpu.user,
    cpu_system_us: cpu.system,
    wall_ms: Math.round(wallMs),
    requests,
    tool_calls: toolCalls,
    conversations: conversations.size,
    not_completed: notCompleted,
    first_problem: firstProblem,
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    live_heap_mb_by_tenth: [],
    heap_limit_mb: Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024),
  };
}

async function runTurnbench(job: Extract<WorkerJob, { mode: 'turnbench' }>): Promise<WorkerResult> {
  const { loadPricing } = await import('../src/config/index.js');
  const { runSuite } = await import('../src/runner/index.js');
  const { LocalSandboxProvider } = await import('../src/sandbox/index.js');
  const { loadSuite } = await import('../src/tasks/index.js');
  const suite = await loadSuite(job.suiteFile);
  const pricing = await loadPricing();
  let samples = 0;
  let turns = 0;
  let toolCalls = 0;
  const total = suite.tasks.length * suite.spec.variants.length * suite.spec.epochs;
  const liveHeap: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  let notCompleted = 0;
  let firstProblem: string | null = null;
  const { cpu, wallMs } = await measured(() =>
    runSuite({
      suite,
      runId: job.runId,
      resultsDir: job.resultsDir,
      concurrency: job.concurrency,
      sandboxes: new LocalSandboxProvider(),
      pricing,
      env: { ...process.env, [job.apiKeyEnv]: 'bench-not-a-secret' },
      stop: new AbortController().signal,
      abort: new AbortController().signal,
      progress: {
        start() {},
        info() {},
        stop() {},
        sampleFinished(record) {
          samples += 1;
          // Live heap as the run goes: flat means nothing accumulates per finished sample.
          if (job.heapTenths && gc && samples * 10 >= total * (liveHeap.length + 1)) {
            gc();
            liveHeap.push(Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10);
          }
          turns += record.turns;
          toolCalls += record.tool_calls;
          if (record.status !== 'completed' || !record.passed) {
            notCompleted += 1;
            firstProblem ??= `${record.sample_id}: ${record.status} ${record.error?.message ?? record.score_detail ?? ''}`;
          }
        },
      },
    }),
  );
  return {
    cpu_user_us: cpu.user,
    cpu_system_us: cpu.system,
    wall_ms: Math.round(wallMs),
    requests: turns,
    tool_calls: toolCalls,
    conversations: samples,
    not_completed: notCompleted,
    first_problem: firstProblem,
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    live_heap_mb_by_tenth: liveHeap,
    heap_limit_mb: Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024),
  };
}

const job = WorkerJobSchema.parse(JSON.parse(process.argv[2] ?? 'null'));
const result = job.mode === 'floor' ? await runFloor(job) : await runTurnbench(job);
await new Promise<void>((resolve, reject) =>
  process.send
    ? process.send(result, (error: Error | null) => (error ? reject(error) : resolve()))
    : resolve(),
);
process.disconnect?.();
