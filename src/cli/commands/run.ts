import { resolve } from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
// Defining the command loads only leaf modules (bounds, run ids, the shard flag); the action loads
// the rest when it runs, so `--help` and the other commands do not pay for the runner.
import { MAX_CONCURRENCY, MAX_SAMPLES, MAX_STEP_TIMEOUT_S, timerDelay } from '../../config/bounds.js';
import type { AdaptiveConcurrency } from '../../config/index.js';
import { parseOptions } from '../../config/parse-once.js';
import type { ExportOutcome, OtelSettings, RunInfo } from '../../otel/index.js';
import type { ProgressReporter, ProviderLimits } from '../../runner/index.js';
import { newRunId, RUN_ID_PATTERN } from '../../runner/run-id.js';
import { ShardSchema } from '../../runner/shard.js';
import type { SandboxProvider } from '../../sandbox/index.js';
import type { LoadedSuite } from '../../tasks/index.js';
import { EXIT, UsageError } from '../errors.js';
import { positiveIntArg, zodArg } from '../options.js';
import { OTEL_CONTENT_OPTION, OTEL_OPTION, otelFromFlags } from '../otel-flags.js';

const RunFlags = z.object({
  runId: z.string().regex(RUN_ID_PATTERN, 'letters, digits, dot, dash, underscore').optional(),
  resume: z.string().regex(RUN_ID_PATTERN, 'a run id').optional(),
  force: z.boolean().default(false),
  resultsDir: z.string().min(1),
  concurrency: z.number().int().positive().optional(),
  sandboxes: z.number().int().positive().optional(),
  requests: z.number().int().positive().optional(),
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
  adaptive: z.boolean().default(false),
  budget: z.number().positive().optional(),
  shard: z.object({ index: z.number(), count: z.number() }).optional(),
  variant: z.array(z.string().min(1)).optional(),
  task: z.array(z.string().min(1)).optional(),
  epochs: z.number().int().positive().optional(),
  json: z.boolean().default(false),
  sandbox: z.enum(['docker', 'local']).optional(),
  pricing: z.string().optional(),
  grace: z.number().positive(),
  otel: z.union([z.string(), z.boolean()]).optional(),
  otelContent: z.boolean().default(false),
});

/** The suite's sandbox engine(s); TLS and SSH key paths are relative to the suite file. */
async function sandboxProvider(
  suite: LoadedSuite,
  override: 'docker' | 'local' | undefined,
): Promise<SandboxProvider> {
  const { sandboxProviderFor } = await import('../../sandbox/core.js');
  const engine = override ?? suite.spec.sandbox.engine;
  const engines = suite.spec.sandbox.engines?.map((e) => ({
    ...e,
    ...(e.tls
      ? {
          tls: {
            ca: resolve(suite.dir, e.tls.ca),
            cert: resolve(suite.dir, e.tls.cert),
            key: resolve(suite.dir, e.tls.key),
          },
        }
      : {}),
    ...(e.identity ? { identity: resolve(suite.dir, e.identity) } : {}),
  }));
  return sandboxProviderFor({ engine, ...(engine === 'docker' && engines ? { engines } : {}) });
}

/** Flags win over the suite file's `concurrency` block; `--adaptive` turns adaptation on. */
async function providerLimits(
  flags: z.infer<typeof RunFlags>,
  suite: LoadedSuite['spec']['concurrency'],
): Promise<ProviderLimits> {
  const { resolveAdaptive } = await import('../../config/index.js');
  const concurrency = flags.requests ?? suite.requests;
  const rpm = flags.rpm ?? suite.rpm;
  const tpm = flags.tpm ?? suite.tpm;
  const adaptive: AdaptiveConcurrency | null = resolveAdaptive(
    flags.adaptive ? suite.adaptive || true : suite.adaptive,
  );
  if (adaptive && !concurrency) {
    throw new UsageError('--adaptive needs a ceiling: --requests N (or concurrency.requests in the suite)');
  }
  return {
    ...(concurrency ? { concurrency } : {}),
    ...(rpm ? { rpm } : {}),
    ...(tpm ? { tpm } : {}),
    ...(adaptive
      ? {
          adaptive: {
            floor: Math.min(adaptive.floor, concurrency ?? adaptive.floor),
            increase: adaptive.increase,
            decrease: adaptive.decrease,
            latencyFactor: adaptive.latency_factor,
          },
        }
      : {}),
  };
}

/** Ctrl-C once: stop scheduling, let samples in flight finish within the grace period. Twice: abort them. */
function interruptHandling(graceSeconds: number, say: (line: string) => void) {
  const stop = new AbortController();
  const abort = new AbortController();
  let graceTimer: NodeJS.Timeout | undefined;
  const onSignal = () => {
    if (!stop.signal.aborted) {
      say(`stopping: no new samples; samples in flight get ${graceSeconds}s (Ctrl-C again to abort them)`);
      stop.abort();
      graceTimer = setTimeout(() => abort.abort(), timerDelay(graceSeconds * 1000));
      graceTimer.unref();
    } else if (!abort.signal.aborted) {
      say('aborting samples in flight; removing their containers');
      abort.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop: stop.signal,
    abort: abort.signal,
    /** The run is over: a late Ctrl-C now just ends the process, as interrupted (not killed by the signal). */
    dispose() {
      clearTimeout(graceTimer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const exitNow = () => process.exit(EXIT.interrupted);
      process.once('SIGINT', exitNow);
      process.once('SIGTERM', exitNow);
    },
  };
}

/** Live trace export, or none (with one warning) when it cannot even start. */
async function startTraces(settings: OtelSettings, run: RunInfo, progress: ProgressReporter) {
  try {
    const { loadLiveExport } = await import('../../otel/index.js');
    return await (await loadLiveExport())(settings, run, (line) => progress.info(line));
  } catch (error) {
    progress.info(
      `warning: OpenTelemetry export could not start (${error instanceof Error ? error.message : String(error)}); the run goes on without it`,
    );
    return null;
  }
}

/** One line on stderr after the run: where the traces went, or (unless already said) what did not get there. */
function reportTraces(outcome: ExportOutcome, target: string, warned: boolean): void {
  if (outcome.failed === 0) {
    process.stderr.write(`traces: ${outcome.exported} spans exported to ${target}\n`);
  } else if (!warned) {
    process.stderr.write(
      `warning: traces: ${outcome.failed} of ${outcome.exported + outcome.failed} spans not exported to ${target} (${outcome.error})\n`,
    );
  }
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a suite: every task x variant x epoch as one sandboxed agent conversation')
    .argument('[suite]', 'path to suite.yaml (optional with --resume: the run remembers its suite)')
    .option('--run-id <id>', 'name of the run folder (default: a timestamp)')
    .option(
      '--resume <run-id>',
      'finish a failed, interrupted, budget-stopped or crashed run: only samples without a result (no record, cancelled, error, or skipped for the budget) run',
    )
    .option('--force', 'with --resume: resume even if the suite changed since the run started')
    .option('--results-dir <dir>', 'where run folders go', 'results')
    .option(
      '--concurrency <n>',
      'samples at once (default: the suite file, else 4)',
      positiveIntArg('--concurrency', MAX_CONCURRENCY),
    )
    .option(
      '--sandboxes <n>',
      'live sandboxes at once, warm ones included (default: samples + 2)',
      positiveIntArg('--sandboxes', MAX_CONCURRENCY),
    )
    .option('--requests <n>', 'model requests in flight per provider endpoint', positiveIntArg('--requests'))
    .option('--rpm <n>', 'model requests started per minute, per provider endpoint', positiveIntArg('--rpm'))
    .option('--tpm <n>', 'tokens per minute, per provider endpoint', positiveIntArg('--tpm'))
    .option(
      '--adaptive',
      'adapt the requests in flight per endpoint (AIMD: down on 429s, Retry-After and rising latency, back up on successes) between a floor (1, or concurrency.adaptive.floor) and --requests',
    )
    .option(
      '--shard <i/n>',
      'run only shard i of n (deterministic split; join shards with `turnbench merge`)',
      zodArg(ShardSchema, '--shard'),
    )
    .option('--variant <name...>', 'run only these variants')
    .option('--task <id...>', 'run only these tasks (a dataset task id selects all its rows)')
    .option(
      '--epochs <n>',
      `epochs instead of the suite file's (tasks x variants x epochs at most ${MAX_SAMPLES})`,
      positiveIntArg('--epochs', MAX_SAMPLES),
    )
    .option(
      '--sandbox <engine>',
      'docker (default) or local (no isolation; development only)',
      zodArg(z.enum(['docker', 'local']), '--sandbox'),
    )
    .option('--pricing <file>', 'a pricing YAML that overrides the shipped prices')
    .option(
      '--budget <usd>',
      "stop scheduling once the run's recorded cost reaches this many USD (samples in flight finish, the rest are skipped; exit 3); wins over limits.max_run_cost_usd",
      zodArg(z.coerce.number().positive(), '--budget'),
    )
    .option(
      '--grace <seconds>',
      `after the first Ctrl-C, how long samples in flight may finish (at most ${MAX_STEP_TIMEOUT_S})`,
      positiveIntArg('--grace', MAX_STEP_TIMEOUT_S),
      30,
    )
    .option('--json', 'print one JSON summary object on stdout (progress stays on stderr)')
    .option(...OTEL_OPTION)
    .option(...OTEL_CONTENT_OPTION)
    .action(async (suiteArg: string | undefined, raw: Record<string, unknown>) => {
      const flags = RunFlags.parse(raw, parseOptions(RunFlags));
      if (flags.resume && flags.runId && flags.resume !== flags.runId) {
        throw new UsageError('--run-id and --resume name different runs; give only --resume');
      }
      const resultsDir = resolve(flags.resultsDir);
      const { loadPricing } = await import('../../config/index.js');
      const { runInfoFrom } = await import('../../otel/index.js');
      // The summary alone, not the report entry: a run does not load the HTML, JUnit, CSV and compare writers.
      const { summarizeRun } = await import('../../report/summary.js');
      const { checkSandboxLimits, progressFor, readRunManifest, runSuite } = await import(
        '../../runner/index.js'
      );
      const { ownerLabels, reapOrphans } = await import('../../sandbox/core.js');
      const { loadSuite } = await import('../../tasks/index.js');
      let suitePath = suiteArg;
      if (flags.resume && !suitePath)
        suitePath = readRunManifest(resolve(resultsDir, flags.resume)).suite_path;
      if (!suitePath) throw new UsageError('run needs a suite file (or --resume <run-id>)');
      const otel = await otelFromFlags(flags.otel, flags.otelContent);
      const suite = await loadSuite(resolve(suitePath));
      const runId = flags.resume ?? flags.runId ?? newRunId();
      const pricing = await loadPricing(flags.pricing);
      const sandboxes = await sandboxProvider(suite, flags.sandbox);
      await checkSandboxLimits(suite, sandboxes);
      const progress = progressFor();
      if (sandboxes.kind === 'local')
        progress.info('sandbox: local processes in temp folders (no isolation; development only)');
      // Containers of runs whose process died (kill -9, a lost machine) are removed first.
      const reaped = await reapOrphans(sandboxes).catch(() => 0);
      if (reaped > 0) progress.info(`removed ${reaped} containers left by runs that are no longer alive`);
      const interrupts = interruptHandling(flags.grace, (line) => progress.info(line));
      // OpenTelemetry is loaded only when traces are exported; its failures never fail the run.
      const traces = otel
        ? await startTraces(otel, runInfoFrom(runId, suite.spec.name, suite.spec), progress)
        : null;

      let outcome: Awaited<ReturnType<typeof runSuite>>;
      try {
        outcome = await runSuite({
          suite,
          runId,
          resultsDir,
          ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
          ...(flags.sandboxes ? { sandboxConcurrency: flags.sandboxes } : {}),
          providerLimits: await providerLimits(flags, suite.spec.concurrency),
          ...(flags.shard ? { shard: flags.shard } : {}),
          ...(flags.variant || flags.task || flags.epochs
            ? {
                selection: {
                  ...(flags.variant ? { variants: flags.variant } : {}),
                  ...(flags.task ? { tasks: flags.task } : {}),
                  ...(flags.epochs ? { epochs: flags.epochs } : {}),
                },
              }
            : {}),
          ...(flags.resume ? { resume: { force: flags.force } } : {}),
          ...(flags.budget !== undefined ? { budgetUsd: flags.budget } : {}),
          sandboxes,
          pricing,
          progress,
          stop: interrupts.stop,
          abort: interrupts.abort,
          ...(traces ? { observer: traces } : {}),
        });
      } catch (error) {
        interrupts.dispose();
        if (
          error instanceof Error &&
          (error.name === 'RunSetupError' || error.name === 'ResumeError' || error.name === 'RunLockedError')
        ) {
          throw new UsageError(error.message);
        }
        throw error;
      } finally {
        // Safety net: no sandbox this process made for the run may outlive it. Only this process's:
        // another process's sandboxes of the same run id are that process's to remove.
        await sandboxes.removeByLabels({ 'turnbench.run': runId, ...ownerLabels() }).catch(() => 0);
        if (traces && otel) reportTraces(await traces.close(), otel.target, traces.warned);
      }

      // Ctrl-C stays ours until the summary is out: a late second press must not kill the
      // process between the end of the run and its report.
      const summary = await summarizeRun(outcome.runDir).finally(() => interrupts.dispose());
      if (flags.json) {
        const { run_id, results_dir, status, variants } = summary;
        process.stdout.write(
          `${JSON.stringify({ run_id, results_dir, run_dir: outcome.runDir, status, error: outcome.error, variants })}\n`,
        );
      } else {
        const { formatSummaryTable } = await import('../../report/table.js');
        process.stdout.write(
          `\nrun ${runId} ${outcome.status}: ${outcome.runDir}\n\n${formatSummaryTable(summary)}\n`,
        );
      }
      if (outcome.status === 'failed') {
        progress.info(
          `run ${runId} failed: ${outcome.error ?? 'see run.json'}; \`turnbench run --resume ${runId}${
            flags.resultsDir === 'results' ? '' : ` --results-dir ${flags.resultsDir}`
          }\` runs the samples without a result`,
        );
        process.exitCode = EXIT.failed;
      }
      if (outcome.status === 'interrupted') process.exitCode = EXIT.interrupted;
      if (outcome.status === 'budget_exhausted' && outcome.budget) {
        const { limitUsd, spentUsd, skipped } = outcome.budget;
        process.stderr.write(
          `run ${runId} stopped at its budget: $${spentUsd.toFixed(4)} recorded of $${limitUsd}; ${skipped} samples skipped (finish them with: turnbench run --resume ${runId} --budget <more>)\n`,
        );
        process.exitCode = EXIT.budget;
      }
    });
}
