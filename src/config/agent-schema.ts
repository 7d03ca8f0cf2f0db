import * as z from 'zod';
import { osString } from './os-string.js';

/**
 * `agent:` on a variant: who drives the conversation. `builtin` is turnbench's own loop; `codex`
 * and `command` are real agent CLIs run inside the sample's sandbox, their model requests going
 * through a recording proxy (see docs/agents.md).
 */

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

/** A value Codex's `-c key=value` accepts (written as TOML). */
type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue };
const TomlValueSchema: z.ZodType<TomlValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.array(TomlValueSchema),
    z.record(z.string(), TomlValueSchema),
  ]),
);

export const BuiltinAgentSchema = z.object({ type: z.literal('builtin') }).strict();

export const CodexAgentSchema = z
  .object({
    type: z.literal('codex'),
    /**
     * How Codex sees the provider. `openai`: its built-in OpenAI provider (WebSocket first, then
     * HTTP; compaction is a streamed turn ending in `compaction_trigger`). `custom`: a provider of
     * its own (HTTP only; compaction is an inline summary request). Default: `openai` with
     * `compaction.policy: trigger`, else `custom`.
     */
    provider: z.enum(['openai', 'custom']).optional(),
    /** Extra `-c key=value` overrides for `codex exec` (dotted keys; values written as TOML). */
    config: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a dotted config key'), TomlValueSchema)
      .default({}),
    /** Extra arguments for `codex exec`, placed before the task text. */
    args: z.array(osString()).default([]),
  })
  .strict();
export type CodexAgentSpec = z.infer<typeof CodexAgentSchema>;

export const AgentMountSchema = z
  .object({
    /** A host path, relative to the suite file; mounted read-only. */
    source: osString().min(1),
    /** Where it appears in the sandbox (absolute). */
    target: osString().startsWith('/'),
  })
  .strict();

export const CommandAgentSchema = z
  .object({
    type: z.literal('command'),
    /**
     * argv run in the sandbox's working directory. `{{task}}` in an element is replaced by the
     * task text, `{{model}}` by the variant's model.
     */
    command: z.array(osString().min(1)).min(1),
    /** How the task text reaches the agent: a `{{task}}` argument, or its standard input. */
    task: z.enum(['argument', 'stdin']).default('argument'),
    /** Variables set to the proxy's base URL (`http://127.0.0.1:PORT/v1`). */
    base_url_vars: z.array(envName).default(['OPENAI_BASE_URL']),
    /** Variables set to a placeholder key (the real key stays with the proxy, outside the sandbox). */
    api_key_vars: z.array(envName).default(['OPENAI_API_KEY']),
    /** More variables for the agent (never secrets: they are visible inside the sandbox). */
    env: z.record(envName, osString()).default({}),
    /** Host folders or files mounted read-only into the sandbox (an agent installed on the host). */
    mounts: z.array(AgentMountSchema).default([]),
    /** Mount the Node.js that runs turnbench at /opt/turnbench/node/bin/node (on PATH), for agents written in JS. */
    node: z.boolean().default(false),
    /** Who retries failed model requests: the agent itself, or the proxy (for agents that do not). */
    retries: z.enum(['agent', 'proxy']).default('agent'),
  })
  .strict()
  .superRefine((agent, ctx) => {
    const placeholder = agent.command.some((arg) => arg.includes('{{task}}'));
    if (agent.task === 'argument' && !placeholder) {
      ctx.addIssue({
        code: 'custom',
        path: ['command'],
        message: 'put {{task}} in one argument, or set task: stdin',
      });
    }
  });
export type CommandAgentSpec = z.infer<typeof CommandAgentSchema>;

/** `agent: codex` is shorthand for `agent: { type: codex }` (a command agent needs its command). */
export const AgentSchema = z.union([
  z
    .enum(['builtin', 'codex'])
    .transform((type) =>
      type === 'codex' ? CodexAgentSchema.parse({ type }) : BuiltinAgentSchema.parse({ type }),
    ),
  z.discriminatedUnion('type', [BuiltinAgentSchema, CodexAgentSchema, CommandAgentSchema]),
]);
export type AgentSpec = z.infer<typeof AgentSchema>;

/**
 * Variant fields that shape turnbench's own prompt; an agent CLI builds its own, so setting
 * them on an agent variant is a mistake worth one clear line.
 */
export const BUILTIN_ONLY_FIELDS = [
  'instructions',
  'transport',
  'tools',
  'layout',
  'mode',
  'prompt_cache_key',
  'prompt_cache_retention',
  'prompt_cache_options',
  'cache_diagnostics',
  'parallel_tool_calls',
  'max_output_tokens',
  'carry_reasoning',
  'mcp',
] as const;
