import * as z from 'zod';

/** What a benchmark process (child.ts) sends back to index.ts over IPC. */
export const ChildMessageSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), figures: z.record(z.string(), z.unknown()) }),
  z.object({
    ok: z.literal(false),
    error: z.object({ name: z.string(), message: z.string(), stack: z.string().optional() }),
  }),
]);
export type ChildMessage = z.infer<typeof ChildMessageSchema>;
