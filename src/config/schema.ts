import * as z from 'zod';
import { AdaptiveSettingSchema } from './adaptive.js';
import { AgentSchema, BUILTIN_ONLY_FIELDS } from './agent-schema.js';
import {
  MAX_CONCURRENCY,
  MAX_CPUS,
  MAX_MEMORY_MB,
  MAX_OUTPUT_BYTES,
  MAX_PIDS,
  MAX_SAMPLES,
  MAX_SIM_DELAY_MS,
  MAX_SIM_REPEAT,
  MAX_SIM_STEPS,
  MAX_STEP_TIMEOUT_S,
  MAX_TURNS,
  MAX_WALL_TIMEOUT_S,
  MIN_CPUS,
  MIN_MEMORY_MB,
  MIN_PIDS,
} from './bounds.js';
import { parseEngineHost } from './engine-host.js';
import { McpServerSchema, VariantMcpSchema } from './mcp.js';
import { osString } from './os-string.js';

/**
 * The input contracts: task.yaml, suite.yaml and the sim scripts inside tasks.
 * Every file a user writes is parsed through one of these schemas; errors are reported
 * with the file and the field path (see load.ts).
 */

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().min(0);

/** A number with an upper bound whose message says the bound and, for durations, what it is. */
const atMost = (max: number, what = '') => ({ message: `at most ${max}${what}` });
const wallSeconds = z.number().positive().max(MAX_WALL_TIMEOUT_S, atMost(MAX_WALL_TIMEOUT_S, ' s (7 days)'));
const stepSeconds = z.number().positive().max(MAX_STEP_TIMEOUT_S, atMost(MAX_STEP_TIMEOUT_S, ' s (1 day)'));
const simDelayMs = nonNegativeInt.max(MAX_SIM_DELAY_MS, atMost(MAX_SIM_DELAY_MS, ' ms (1 hour)'));
const concurrency = positiveInt.max(MAX_CONCURRENCY, atMost(MAX_CONCURRENCY));

/** Why a scorer's regular expression does not compile, or null (checked when a task is loaded). */
export function regexProblem(source: string, flags: string): string | null {
  try {
    new RegExp(source, flags);
    return null;
  } catch (error) {
    return `invalid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export const LimitsSchema = z
  .object({
    max_turns: positiveInt.max(MAX_TURNS, atMost(MAX_TURNS)).optional(),
    max_total_tokens: positiveInt.optional(),
    wall_timeout_s: wallSeconds.optional(),
    command_timeout_s: stepSeconds.optional(),
    max_output_bytes: positiveInt
      .max(MAX_OUTPUT_BYTES, atMost(MAX_OUTPUT_BYTES, ' bytes (16 MiB)'))
      .optional(),
    /** Stop the sample once its model requests have cost this much (from pricing.yaml). */
    max_cost_usd: z.number().positive().optional(),
  })
  .strict();
export type Limits = z.infer<typeof LimitsSchema>;

/** A suite's limits: the defaults of its tasks, and a budget for the whole run. */
export const SuiteLimitsSchema = LimitsSchema.extend({
  /** Stop scheduling samples once the run's recorded cost reaches this (samples in flight finish). */
  max_run_cost_usd: z.number().positive().optional(),
}).strict();

export const ResolvedLimitsSchema = z.object({
  max_turns: positiveInt.max(MAX_TURNS),
  max_total_tokens: positiveInt,
  wall_timeout_s: wallSeconds,
  command_timeout_s: stepSeconds,
  max_output_bytes: positiveInt.max(MAX_OUTPUT_BYTES),
  max_cost_usd: z.number().positive().nullable(),
});
export type ResolvedLimits = z.infer<typeof ResolvedLimitsSchema>;

export const DEFAULT_LIMITS: ResolvedLimits = {
  max_turns: 60,
  max_total_tokens: 4_000_000,
  wall_timeout_s: 600,
  command_timeout_s: 30,
  max_output_bytes: 16_384,
  max_cost_usd: null,
};

// ---------------------------------------------------------------- sim scripts

/** A condition on the output of the previous tool call(s) in the conversation. */
export const SimConditionSchema = z
  .object({
    output_contains: z.string().optional(),
    output_not_contains: z.string().optional(),
  })
  .strict();

export const SimCallSchema = z
  .object({
    tool: z.string().min(1),
    args: z.record(z.string(), z.unknown()).default({}),
    /** Send these exact argument bytes instead of JSON of `args` (to exercise invalid arguments). */
    raw_arguments: z.string().optional(),
  })
  .strict();
export type SimCall = z.infer<typeof SimCallSchema>;

const stepCommon = {
  when: SimConditionSchema.optional(),
  /** Repeat this step N times; `{{i}}` in strings is replaced by the 1-based repetition. */
  repeat: positiveInt.max(MAX_SIM_REPEAT, atMost(MAX_SIM_REPEAT)).optional(),
  /** Assistant commentary emitted before the calls (counts as output tokens). */
  say: z.string().optional(),
};

export const SimStepSchema = z.union([
  z.object({ shell: z.string().min(1), ...stepCommon }).strict(),
  z
    .object({
      tool: z.string().min(1),
      args: z.record(z.string(), z.unknown()).default({}),
      raw_arguments: z.string().optional(),
      ...stepCommon,
    })
    .strict(),
  z.object({ parallel: z.array(SimCallSchema).min(1), ...stepCommon }).strict(),
]);
export type SimStep = z.infer<typeof SimStepSchema>;

/**
 * How the sim grades this task when a model scorer with `provider: sim` asks: a fixed grade,
 * or one that depends on the agent's final answer (`pass_if_answer_contains`).
 */
export const SimGradeSchema = z
  .object({
    score: z.number().min(0).max(1).default(1),
    explanation: z.string().min(1).default('The work meets the rubric.'),
    /** When given and the agent's answer lacks this text, the grade is 0 with `fail_explanation`. */
    pass_if_answer_contains: z.string().min(1).optional(),
    fail_explanation: z.string().min(1).default('The answer does not show what the rubric asks for.'),
  })
  .strict();
export type SimGrade = z.infer<typeof SimGradeSchema>;

const scriptFields = {
  steps: z.array(SimStepSchema).default([]),
  final: z.string().min(1),
  /** Reasoning tokens the sim reports per turn (they are billed as output). */
  reasoning_tokens: nonNegativeInt.default(0),
};

function checkStepCount(script: { steps: SimStep[] }, ctx: z.RefinementCtx): void {
  const expanded = script.steps.reduce((n, step) => n + (step.repeat ?? 1), 0);
  if (expanded > MAX_SIM_STEPS)
    ctx.addIssue({
      code: 'custom',
      path: ['steps'],
      message: `${expanded} steps once repeats are expanded; at most ${MAX_SIM_STEPS}`,
    });
}

/** The script of a sub-agent the task's script spawns: what the sim does in that conversation. */
export const SimAgentScriptSchema = z.object(scriptFields).strict().superRefine(checkStepCount);

export const SimScriptSchema = z
  .object({
    ...scriptFields,
    grade: SimGradeSchema.optional(),
    /**
     * Scripts of the sub-agents this script spawns, keyed by the task text the sub-agent gets
     * (Codex: `spawn_agent`'s `message`): its conversation follows that script.
     */
    agents: z.record(z.string().min(1), SimAgentScriptSchema).optional(),
  })
  .strict()
  .superRefine(checkStepCount);
export type SimScript = z.infer<typeof SimScriptSchema>;

// ---------------------------------------------------------------- task

export const TaskFileSchema = z.union([
  z
    .object({
      /** A file or folder relative to the task folder, copied into the working directory. */
      from: osString().min(1),
      to: osString().default('.'),
    })
    .strict(),
  z
    .object({
      path: osString().min(1),
      content: z.string(),
      mode: z.number().int().optional(),
    })
    .strict(),
]);
export type TaskFile = z.infer<typeof TaskFileSchema>;

/**
 * A model grades the agent's work against a rubric (the Responses API with a JSON-schema
 * `text.format`). The grader's usage and cost are recorded apart from the agent's.
 */
export const ModelScorerSchema = z
  .object({
    type: z.literal('model'),
    /** What the grader checks; shown to the grader with the task and the agent's final answer. */
    rubric: z.string().min(1),
    model: z.string().min(1),
    /** `sim` grades from the task's `sim.grade` entry (offline); `openai` uses the variant-style key and URL. */
    provider: z.enum(['sim', 'openai']).default('sim'),
    base_url: z.string().url().optional(),
    api_key_env: z.string().default('OPENAI_API_KEY'),
    /** Files of the working directory (after the agent stopped) shown to the grader. */
    include_files: z.array(osString().min(1)).default([]),
    /** The grade (0..1) at or above which the scorer passes. */
    pass_threshold: z.number().min(0).max(1).default(0.5),
    timeout_s: stepSeconds.default(120),
  })
  .strict();
export type ModelScorer = z.infer<typeof ModelScorerSchema>;

export const ImageRefSchema = z.union([
  osString().min(1),
  z.object({ dockerfile: osString().min(1), context: osString().default('.') }).strict(),
]);
export type ImageRef = z.infer<typeof ImageRefSchema>;

export const ScorerSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('command'),
      command: osString().min(1),
      timeout_s: stepSeconds.default(60),
      /**
       * The grader's files (tests, checkers, reference data): copied into the working directory
       * after the agent has stopped, replacing whatever the agent left at those paths.
       */
      files: z.array(TaskFileSchema).default([]),
    })
    .strict(),
  z
    .object({
      type: z.literal('match'),
      mode: z.enum(['equals', 'contains', 'regex']).default('contains'),
      expected: z.string(),
      ignore_case: z.boolean().default(false),
    })
    .strict()
    .superRefine((scorer, ctx) => {
      const problem =
        scorer.mode === 'regex' ? regexProblem(scorer.expected, scorer.ignore_case ? 'i' : '') : null;
      if (problem) ctx.addIssue({ code: 'custom', path: ['expected'], message: problem });
    }),
  ModelScorerSchema,
]);
export type Scorer = z.infer<typeof ScorerSchema>;

/** One scorer, or a list of them: the sample passes when every one passes (see scoring/combine.ts). */
export const TaskScorerSchema = z.union([ScorerSchema, z.array(ScorerSchema).min(1)]);
export type TaskScorer = z.infer<typeof TaskScorerSchema>;

/** The scorers of a task as a list, whichever way the task wrote them. */
export function scorersOf(scorer: TaskScorer): Scorer[] {
  return Array.isArray(scorer) ? scorer : [scorer];
}

export const DatasetRefSchema = z
  .object({
    /** CSV (or JSONL) file relative to the task folder; each row becomes one task. */
    file: osString().min(1),
    /** Column whose value names each row's task (`<task-id>/<value>`); default: the row number. */
    id_column: z.string().optional(),
  })
  .strict();

export const TaskSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9._{}-]+$/, 'use letters, digits, dot, dash and underscore'),
    description: z.string().optional(),
    /** The user's task, sent as the user message. May use `{{column}}` placeholders with a dataset. */
    instructions: z.string().min(1),
    files: z.array(TaskFileSchema).default([]),
    image: ImageRefSchema.optional(),
    setup: z.array(osString().min(1)).default([]),
    limits: LimitsSchema.default({}),
    network: z.boolean().default(false),
    scorer: TaskScorerSchema,
    tags: z.array(z.string()).default([]),
    dataset: DatasetRefSchema.optional(),
    sim: SimScriptSchema.optional(),
    /** MCP servers whose tools this task's samples get (besides the variant's). */
    mcp_servers: z.array(McpServerSchema).default([]),
  })
  .strict();
export type TaskSpec = z.infer<typeof TaskSchema>;

// ---------------------------------------------------------------- variant & suite

export const TOOL_NAMES = ['shell', 'apply_patch', 'read_file', 'write_file', 'update_plan'] as const;
export const ToolNameSchema = z.enum(TOOL_NAMES);
export type ToolName = z.infer<typeof ToolNameSchema>;

export const CompactionSchema = z
  .object({
    policy: z.enum(['none', 'server', 'endpoint', 'trigger', 'summary', 'truncate']).default('none'),
    /** Input tokens at which the history is compacted. */
    threshold: positiveInt.default(16_000),
  })
  .strict();
export type CompactionConfig = z.infer<typeof CompactionSchema>;

export const PromptPartSchema = z.enum(['instructions', 'developer', 'environment', 'task']);

export const PerturbSchema = z
  .object({
    /** The 1-based agent turn at which the change happens; it stays in effect afterwards. */
    at_turn: positiveInt,
    change: z.enum([
      'reorder_tools',
      'drop_tool',
      'switch_model',
      'edit_environment',
      'change_reasoning_effort',
      'change_cache_key',
    ]),
    /** The model to switch to (switch_model). */
    model: z.string().min(1).optional(),
  })
  .strict()
  .refine((p) => p.change !== 'switch_model' || p.model !== undefined, {
    message: 'switch_model needs a model',
    path: ['model'],
  });
export type Perturb = z.infer<typeof PerturbSchema>;

export const LayoutSchema = z
  .object({
    /** Order of the input items before the history (instructions always go in the `instructions` field). */
    order: z
      .array(z.enum(['developer', 'environment', 'task']))
      .default(['developer', 'environment', 'task']),
    /** How the tools list is ordered on each turn. */
    tool_order: z.enum(['fixed', 'sorted', 'rotate_per_turn']).default('fixed'),
    /** Items marked with an explicit `prompt_cache_breakpoint` on their content (where the API supports it). */
    cache_breakpoints: z.array(z.enum(['developer', 'environment', 'task'])).default([]),
    /** One deliberate change at a given turn, to show (and test) what each kind of break costs. */
    perturb: PerturbSchema.optional(),
  })
  .strict();
export type Layout = z.infer<typeof LayoutSchema>;

export const SimVariantOptionsSchema = z
  .object({
    latency: z
      .object({
        ttft_ms: simDelayMs.default(0),
        prefill_tokens_per_s: z.number().positive().optional(),
        cached_prefill_tokens_per_s: z.number().positive().optional(),
        decode_tokens_per_s: z.number().positive().optional(),
        jitter: z.number().min(0).max(1).default(0),
      })
      .strict()
      .optional(),
    faults: z
      .object({
        rate_429: z.number().min(0).max(1).default(0),
        rate_500: z.number().min(0).max(1).default(0),
        rate_503: z.number().min(0).max(1).default(0),
        rate_cut_stream: z.number().min(0).max(1).default(0),
        rate_malformed_args: z.number().min(0).max(1).default(0),
        retry_after_s: z
          .number()
          .min(0)
          .max(MAX_STEP_TIMEOUT_S, atMost(MAX_STEP_TIMEOUT_S, ' s (1 day)'))
          .default(0),
        /** Rate of responses delayed by `slow_ms` before anything is sent. */
        rate_slow: z.number().min(0).max(1).default(0),
        slow_ms: simDelayMs.default(2000),
        /**
         * A provider's rate limit, server-wide: requests are admitted at this rate (a bucket holding
         * one second of them); one over it gets a 429 whose Retry-After says when the bucket has room,
         * and counts against the limit all the same (as OpenAI's do: "unsuccessful requests contribute
         * to your per-minute limit"), so hammering a limited endpoint delays every request.
         */
        requests_per_s: z.number().positive().optional(),
        /** The rate limit holds for this long from the server's first request (a burst), then lifts; default: always. */
        requests_per_s_for_s: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    seed: z.number().int().optional(),
  })
  .strict();

const VariantObjectSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, dot, dash and underscore'),
    description: z.string().optional(),
    /** Who drives the conversation: `builtin` (turnbench's loop), `codex` or `command` (see docs/agents.md). */
    agent: AgentSchema.default({ type: 'builtin' }),
    /** `sim` starts the built-in server in-process; `openai` uses OPENAI_API_KEY / OPENAI_BASE_URL. */
    provider: z.enum(['sim', 'openai']).default('sim'),
    api: z.enum(['responses', 'chat']).default('responses'),
    /** How Responses API requests travel: one HTTP request each, or `response.create` over a WebSocket. */
    transport: z.enum(['http', 'websocket']).default('http'),
    base_url: z.string().url().optional(),
    /** Per model request: until the response headers, then again between stream events (a stream
     * that stalls this long is given up and retried). */
    request_timeout_s: stepSeconds.default(600),
    /** Name of the environment variable holding the API key (never the key itself). */
    api_key_env: z.string().default('OPENAI_API_KEY'),
    model: osString().min(1).default('sim-1'),
    reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).optional(),
    /**
     * On a model that reasons, keep its reasoning across turns without server state, as Codex does:
     * ask for `reasoning.encrypted_content` and resend the reasoning items with the history.
     * false: neither (reasoning items are dropped from the history).
     */
    carry_reasoning: z.boolean().default(true),
    max_output_tokens: positiveInt.optional(),
    /**
     * System instructions (the builtin agent; required there). `{{now}}` and `{{turn}}` are
     * re-rendered every turn (dynamic content).
     */
    instructions: z.string().default(''),
    developer_message: z.string().optional(),
    tools: z
      .array(ToolNameSchema)
      .min(1)
      .default(['shell', 'apply_patch', 'read_file', 'write_file', 'update_plan']),
    layout: LayoutSchema.default({
      order: ['developer', 'environment', 'task'],
      tool_order: 'fixed',
      cache_breakpoints: [],
    }),
    prompt_cache_key: z.enum(['none', 'run', 'task', 'sample']).default('sample'),
    /** Deprecated by OpenAI (Aug 2026) for `prompt_cache_options.ttl`; still sent when set. */
    prompt_cache_retention: z.enum(['in_memory', '24h']).optional(),
    /**
     * The request's `prompt_cache_options`: `mode` (implicit: the provider adds a breakpoint of its own
     * and writes up to 3 explicit ones; explicit: only the breakpoints of `layout.cache_breakpoints`,
     * up to 4, and without any no caching at all) and `ttl`, the minimum lifetime of what a request
     * writes (30m, the default, or 12h; Chat Completions takes 30m only).
     */
    prompt_cache_options: z
      .object({ mode: z.enum(['implicit', 'explicit']).optional(), ttl: z.enum(['30m', '12h']).optional() })
      .strict()
      .optional(),
    cache_diagnostics: z.boolean().default(false),
    compaction: CompactionSchema.default({ policy: 'none', threshold: 16_000 }),
    mode: z.enum(['stateless', 'previous_response_id']).default('stateless'),
    parallel_tool_calls: z.boolean().default(true),
    sim: SimVariantOptionsSchema.optional(),
    /** MCP tool servers and how their tools are laid out and updated. */
    mcp: VariantMcpSchema.optional(),
  })
  .strict()
  .superRefine((variant, ctx) => {
    if (variant.transport !== 'http' && variant.api !== 'responses') {
      ctx.addIssue({
        code: 'custom',
        path: ['transport'],
        message: 'transport websocket needs api: responses (Chat Completions has no WebSocket mode)',
      });
    }
    if (variant.api === 'chat' && variant.prompt_cache_options?.ttl === '12h') {
      ctx.addIssue({
        code: 'custom',
        path: ['prompt_cache_options', 'ttl'],
        message: 'Chat Completions takes ttl 30m only (12h needs api: responses)',
      });
    }
    if (variant.agent.type === 'builtin' && variant.instructions === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['instructions'],
        message: 'the builtin agent needs instructions',
      });
    }
    if (variant.agent.type !== 'codex') return;
    if (variant.api !== 'responses') {
      ctx.addIssue({
        code: 'custom',
        path: ['api'],
        message: 'Codex speaks only the Responses API (api: responses)',
      });
    }
    const policy = variant.compaction.policy;
    if (!['none', 'summary', 'trigger'].includes(policy)) {
      ctx.addIssue({
        code: 'custom',
        path: ['compaction', 'policy'],
        message: `Codex compacts inline (summary) or with compaction_trigger (trigger), not "${policy}"`,
      });
    }
    const provider = variant.agent.provider;
    if ((provider === 'openai' && policy === 'summary') || (provider === 'custom' && policy === 'trigger')) {
      ctx.addIssue({
        code: 'custom',
        path: ['agent', 'provider'],
        message: `Codex compacts with ${provider === 'openai' ? 'compaction_trigger' : 'an inline summary'} through a provider "${provider}"; policy ${policy} needs the other one`,
      });
    }
  });

/** The fields of turnbench's own prompt are refused on agent variants (the agent builds its own). */
function refuseBuiltinFields(raw: unknown, ctx: z.RefinementCtx): void {
  if (!raw || typeof raw !== 'object') return;
  const fields = raw as Record<string, unknown>;
  const agent = fields.agent;
  const type = typeof agent === 'string' ? agent : (agent as { type?: unknown } | undefined)?.type;
  if (type !== 'codex' && type !== 'command') return;
  for (const field of BUILTIN_ONLY_FIELDS) {
    if (field in fields) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `not used with agent: ${type} (the agent builds its own prompt)`,
      });
    }
  }
}

export const VariantSchema = z.preprocess((raw, ctx) => {
  refuseBuiltinFields(raw, ctx);
  return raw;
}, VariantObjectSchema);
export type VariantSpec = z.infer<typeof VariantSchema>;

/** One Docker engine samples are spread over, with how many containers it may run at once. */
export const EngineSchema = z
  .object({
    /** unix:///path, ssh://user@host[:port] or tcp://host:port. */
    host: osString().min(1),
    max: concurrency,
    /** Client certificates for a tcp engine (the protocol is then https); paths to PEM files. */
    tls: z
      .object({ ca: osString().min(1), cert: osString().min(1), key: osString().min(1) })
      .strict()
      .optional(),
    /** SSH private key for an ssh engine; without it the SSH agent (SSH_AUTH_SOCK) is used. */
    identity: osString().min(1).optional(),
    /** Shown in results; defaults to the host. */
    name: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((engine, ctx) => {
    let protocol: string;
    try {
      protocol = parseEngineHost(engine.host).protocol;
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: (err as Error).message });
      return;
    }
    if (engine.tls && protocol !== 'tcp')
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: `tls is only for tcp:// engines, not ${protocol}://`,
      });
    if (engine.identity && protocol !== 'ssh')
      ctx.addIssue({
        code: 'custom',
        path: ['identity'],
        message: `identity is only for ssh:// engines, not ${protocol}://`,
      });
  });
export type EngineSpec = z.infer<typeof EngineSchema>;

export const SandboxDefaultsSchema = z
  .object({
    image: osString().min(1).optional(),
    memory_mb: positiveInt
      .min(MIN_MEMORY_MB, { message: `at least ${MIN_MEMORY_MB} (MB)` })
      .max(MAX_MEMORY_MB, atMost(MAX_MEMORY_MB, ' (MB)'))
      .default(512),
    /** Checked against the CPUs of each Docker engine when a run starts. */
    cpus: z
      .number()
      .min(MIN_CPUS, { message: `at least ${MIN_CPUS}` })
      .max(MAX_CPUS, atMost(MAX_CPUS))
      .default(1),
    pids: positiveInt
      .min(MIN_PIDS, { message: `at least ${MIN_PIDS}` })
      .max(MAX_PIDS, atMost(MAX_PIDS))
      .default(256),
    /**
     * What a sandbox may write, in MB: the working directory and HOME are in-memory filesystems of
     * this size (counted against memory_mb) on a read-only root filesystem; also the largest file.
     */
    disk_mb: positiveInt.max(MAX_MEMORY_MB, atMost(MAX_MEMORY_MB, ' (MB)')).default(1024),
    workdir: osString()
      .startsWith('/')
      .refine((w) => w.replace(/\/+/g, '/') !== '/', 'the working directory cannot be /')
      .default('/workspace'),
    engine: z.enum(['docker', 'local']).default('docker'),
    /** Docker engines to spread samples over; without it the local default engine is used. */
    engines: z.array(EngineSchema).min(1).optional(),
  })
  .strict()
  .superRefine((sandbox, ctx) => {
    if (sandbox.engines && sandbox.engine !== 'docker')
      ctx.addIssue({ code: 'custom', path: ['engines'], message: 'engines need engine: docker' });
    const seen = new Set<string>();
    sandbox.engines?.forEach((e, i) => {
      const name = e.name ?? e.host;
      if (seen.has(name))
        ctx.addIssue({
          code: 'custom',
          path: ['engines', i, 'name'],
          message: `duplicate engine name "${name}"`,
        });
      seen.add(name);
    });
  });
export type SandboxDefaults = z.infer<typeof SandboxDefaultsSchema>;

export const ConcurrencySchema = z
  .object({
    /** Samples (agent conversations) at once. */
    samples: concurrency.default(4),
    /** Live sandboxes at once, warm ones included (default: samples + the warm pool). */
    sandboxes: concurrency.optional(),
    /** Model requests in flight per provider endpoint. */
    requests: positiveInt.optional(),
    /** Model requests started per minute, per provider endpoint. */
    rpm: positiveInt.optional(),
    /** Tokens (input + output) per minute, per provider endpoint. */
    tpm: positiveInt.optional(),
    /** Adapt the requests in flight per endpoint (AIMD) up to `requests`: true, or its settings. */
    adaptive: AdaptiveSettingSchema.optional(),
  })
  .strict()
  .refine((c) => !c.adaptive || c.requests !== undefined, {
    message: 'adaptive concurrency needs a ceiling: set requests',
    path: ['adaptive'],
  });

export const SuiteSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** Task folders or task.yaml files, relative to the suite file; globs allowed. */
    tasks: z.array(osString().min(1)).min(1),
    variants: z.array(VariantSchema).min(1),
    epochs: positiveInt.max(MAX_SAMPLES, atMost(MAX_SAMPLES)).default(1),
    concurrency: ConcurrencySchema.default({ samples: 4 }),
    limits: SuiteLimitsSchema.default({}),
    sandbox: SandboxDefaultsSchema.default({
      memory_mb: 512,
      cpus: 1,
      pids: 256,
      disk_mb: 1024,
      workdir: '/workspace',
      engine: 'docker',
    }),
    /** Name of the variant other variants are compared against in reports (default: the first). */
    baseline_variant: z.string().optional(),
  })
  .strict()
  .superRefine((suite, ctx) => {
    const seen = new Set<string>();
    suite.variants.forEach((v, i) => {
      if (seen.has(v.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['variants', i, 'name'],
          message: `duplicate variant name "${v.name}"`,
        });
      }
      seen.add(v.name);
    });
    if (suite.baseline_variant !== undefined && !seen.has(suite.baseline_variant)) {
      ctx.addIssue({
        code: 'custom',
        path: ['baseline_variant'],
        message: `"${suite.baseline_variant}" is none of the variants (${[...seen].join(', ')})`,
      });
    }
  });
export type SuiteSpec = z.infer<typeof SuiteSchema>;
