import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';

/** What floor.ts (and memory.ts) ask of a worker process, and what it answers over IPC. */
export const WorkerJobSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('turnbench'),
    suiteFile: z.string(),
    resultsDir: z.string(),
    runId: z.string(),
    concurrency: z.number().int().positive(),
    apiKeyEnv: z.string(),
    /** Heap in use after a full collection each time another tenth of the samples finished (needs --expose-gc). */
    heapTenths: z.boolean().default(false),
  }),
  z.object({
    mode: z.literal('floor'),
    /** JSONL of `{ conversation, body }`, body base64: the requests to send, in order per conversation. */
    bodiesFile: z.string(),
    baseURL: z.string(),
    concurrency: z.number().int().positive(),
    /**
     * Also run each `shell` call the responses ask for, as a bare agent loop would: one child process
     * per call (child_process.spawn of the call's argv in a temp folder per conversation, output
     * read to the end). The recorded bodies already carry turnbench's outputs, so only the cost counts.
     */
    runTools: z.boolean().default(false),
  }),
]);
export type WorkerJob = z.infer<typeof WorkerJobSchema>;

export const WorkerResultSchema = z.object({
  cpu_user_us: z.number(),
  cpu_system_us: z.number(),
  wall_ms: z.number(),
  /** Model requests sent (turns for turnbench). */
  requests: z.number().int(),
  /** Tool calls run as processes (the floor with runTools). */
  tool_calls: z.number().int().default(0),
  conversations: z.number().int(),
  not_completed: z.number().int(),
  first_problem: z.string().nullable(),
  max_rss_mb: z.number(),
  /** heapUsed (MB) after a full GC at each tenth of the samples, when asked for. */
  live_heap_mb_by_tenth: z.array(z.number()).default([]),
  /** The heap limit the process ran with (MB): V8's, as --max-old-space-size left it. */
  heap_limit_mb: z.number().default(0),
});
export type WorkerResult = z.infer<typeof WorkerResultSchema>;

/** Forks dist/bench/floor-worker.js on a job, with extra node flags, and waits for its one result. */
export function runWorker(job: WorkerJob, nodeFlags: string[] = []): Promise<WorkerResult> {
  const script = fileURLToPath(new URL('./floor-worker.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = fork(script, [JSON.stringify(job)], {
      execArgv: nodeFlags,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: WorkerResult | null = null;
    child.on('message', (raw) => {
      const parsed = WorkerResultSchema.safeParse(raw);
      if (parsed.success) result = parsed.data;
      else reject(new Error(`unreadable worker result: ${parsed.error.message}`));
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result) resolve(result);
      else reject(new Error(`${job.mode} worker exited (${signal ?? `code ${code}`}) without a result`));
    });
  });
}
