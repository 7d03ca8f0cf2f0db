import { z } from 'zod';

/** What floor.ts asks of a floor worker, and what the worker answers over IPC. */
export const WorkerJobSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('turnbench'),
    suiteFile: z.string(),
    resultsDir: z.string(),
    runId: z.string(),
    concurrency: z.number().int().positive(),
    apiKeyEnv: z.string(),
  }),
  z.object({
    mode: z.literal('floor'),
    /** JSONL of `{ conversation, body }`, body base64: the requests to send, in order per conversation. */
    bodiesFile: z.string(),
    baseURL: z.string(),
    concurrency: z.number().int().positive(),
  }),
]);
export type WorkerJob = z.infer<typeof WorkerJobSchema>;

export const WorkerResultSchema = z.object({
  cpu_user_us: z.number(),
  cpu_system_us: z.number(),
  wall_ms: z.number(),
  /** Model requests sent (turns for turnbench). */
  requests: z.number().int(),
  conversations: z.number().int(),
  not_completed: z.number().int(),
  first_problem: z.string().nullable(),
  max_rss_mb: z.number(),
});
export type WorkerResult = z.infer<typeof WorkerResultSchema>;
