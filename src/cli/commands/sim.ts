import type { Command } from 'commander';
import * as z from 'zod';
import type { SimVariantOptionsSchema as SimOptionsSchema } from '../../config/index.js';
import { parseOptions } from '../../config/parse-once.js';
import type { SimServerOptions } from '../../sim/index.js';
// A leaf module (the preset table): defining the command loads nothing of the sim.
import { LATENCY_PRESETS } from '../../sim/presets.js';
import { UsageError } from '../errors.js';

type SimVariantOptions = typeof SimOptionsSchema;

const SimFlagsSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535).default(0),
    host: z.string().min(1).default('127.0.0.1'),
    latency: z.string().optional(),
    faults: z.string().optional(),
    seed: z.coerce.number().int().optional(),
    suite: z.string().optional(),
    logRequests: z.boolean().optional(),
  })
  .strict();

function parseJsonFlag(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--${flag}: not valid JSON: ${text}`);
  }
}

function latencyOption(
  value: string | undefined,
  SimVariantOptionsSchema: SimVariantOptions,
): SimServerOptions['latency'] {
  if (value === undefined) return undefined;
  if (value in LATENCY_PRESETS) return LATENCY_PRESETS[value];
  if (!value.trim().startsWith('{')) {
    throw new UsageError(
      `--latency: unknown preset "${value}" (use ${Object.keys(LATENCY_PRESETS).join(', ')} or JSON)`,
    );
  }
  const parsed = SimVariantOptionsSchema.shape.latency.safeParse(parseJsonFlag('latency', value));
  if (!parsed.success)
    throw new UsageError(
      `--latency: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

function faultsOption(
  value: string | undefined,
  SimVariantOptionsSchema: SimVariantOptions,
): SimServerOptions['faults'] {
  if (value === undefined) return undefined;
  const parsed = SimVariantOptionsSchema.shape.faults.safeParse(parseJsonFlag('faults', value));
  if (!parsed.success)
    throw new UsageError(
      `--faults: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

/**
 * `turnbench sim --port N [--host H] [--latency <preset|json>] [--faults <json>] [--seed N] [--suite file]`:
 * the simulated OpenAI-compatible server, standalone. Prints one `listening on <url>` line.
 */
export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description(
      'serve the simulated OpenAI-compatible model over HTTP and the Responses WebSocket mode ' +
        '(point OPENAI_BASE_URL at <url>/v1)',
    )
    .option('--port <n>', 'port to listen on (0 = any free port)', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--latency <preset|json>', `latency model: ${Object.keys(LATENCY_PRESETS).join(', ')}, or JSON`)
    .option('--faults <json>', 'fault rates as JSON, e.g. {"rate_429":0.1,"retry_after_s":1}')
    .option('--seed <n>', 'seed for deterministic faults and jitter')
    .option('--suite <suite.yaml>', "register the sim scripts of a suite's tasks")
    .option('--log-requests', 'log one line per request (and per WebSocket event) to stderr')
    .action(async (raw: unknown) => {
      const flags = SimFlagsSchema.parse(raw, parseOptions(SimFlagsSchema));
      const { SimVariantOptionsSchema } = await import('../../config/index.js');
      const latency = latencyOption(flags.latency, SimVariantOptionsSchema);
      const faults = faultsOption(flags.faults, SimVariantOptionsSchema);
      // The suite is loaded before the server listens: a bad suite is an error, not a live server.
      const { loadSuite } = await import('../../tasks/index.js');
      const suite = flags.suite ? await loadSuite(flags.suite) : undefined;
      const { startSimServer } = await import('../../sim/index.js');
      const server = await startSimServer({
        host: flags.host,
        port: flags.port,
        seed: flags.seed,
        latency,
        faults,
        logRequests: flags.logRequests ?? false,
      });
      for (const task of suite?.tasks ?? [])
        if (task.spec.sim) server.scripts.register(task.spec.instructions, task.spec.sim);
      // The signals are taken before the line goes out: whoever reads it may stop the sim at once,
      // and a signal with no listener yet kills the process instead of closing the server.
      const stopped = new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      process.stdout.write(`listening on ${server.url.replace(/\/v1$/, '')}\n`);
      await stopped;
      await server.close();
    });
}
