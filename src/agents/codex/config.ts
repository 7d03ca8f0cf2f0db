import { stringify } from 'smol-toml';
import type { CodexAgentSpec, VariantSpec } from '../../config/index.js';

/** The provider id Codex is given for a provider of its own (`agent.provider: custom`). */
export const CUSTOM_PROVIDER_ID = 'turnbench';
/** The variable the placeholder key is in; the real key never enters the sandbox. */
export const PLACEHOLDER_KEY_VAR = 'TURNBENCH_API_KEY';
export const PLACEHOLDER_KEY = 'turnbench-proxy-holds-the-key';

export type CodexProvider = 'openai' | 'custom';

/** How Codex sees the provider when the variant does not say: `openai` compacts with compaction_trigger. */
export function codexProvider(
  variant: Pick<VariantSpec, 'compaction'>,
  agent: CodexAgentSpec,
): CodexProvider {
  return agent.provider ?? (variant.compaction.policy === 'trigger' ? 'openai' : 'custom');
}

export interface CodexSetup {
  /** `$CODEX_HOME/config.toml`. */
  configToml: string;
  /** Environment for `codex exec` (the placeholder key: Codex insists on one). */
  env: Record<string, string>;
  /** `codex exec` arguments before the prompt (which is read from standard input: `-`). */
  args: string[];
}

type TomlValue = CodexAgentSpec['config'][string];

/** A scalar as TOML writes it (strings quoted and escaped by the TOML library). */
function tomlScalar(value: string | number | boolean): string {
  const line = stringify({ v: value }).trim();
  return line.slice(line.indexOf('=') + 1).trim();
}

/** A value on one line, as `-c` takes it: arrays as `[ ... ]`, tables inline as `{ k = v }`. */
export function inlineToml(value: TomlValue): string {
  if (Array.isArray(value)) return `[ ${value.map(inlineToml).join(', ')} ]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).map(([key, inner]) => {
      const name = /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlScalar(key);
      return `${name} = ${inlineToml(inner)}`;
    });
    return `{ ${entries.join(', ')} }`;
  }
  return tomlScalar(value);
}

/** `-c key=value` for each override, the value written as TOML. */
export function overrideArgs(overrides: CodexAgentSpec['config']): string[] {
  return Object.entries(overrides).flatMap(([key, value]) => ['-c', `${key}=${inlineToml(value)}`]);
}

/**
 * Codex's configuration for one variant, pointed at the proxy: the model and reasoning effort,
 * the provider (Codex's own OpenAI provider with its base URL moved, or a provider of its own),
 * the compaction limit, the variant's developer message, and everything that would reach the
 * network on its own (update checks, analytics, feedback) turned off. The extra `-c` overrides go
 * on the command line, where they win over the file.
 */
export function codexSetup(
  variant: Pick<VariantSpec, 'model' | 'reasoning_effort' | 'compaction' | 'developer_message'>,
  agent: CodexAgentSpec,
  opts: { baseUrl: string; lastMessageFile: string },
): CodexSetup {
  const provider = codexProvider(variant, agent);
  const config: Record<string, unknown> = {
    model: variant.model,
    model_provider: provider === 'openai' ? 'openai' : CUSTOM_PROVIDER_ID,
    check_for_update_on_startup: false,
  };
  if (variant.reasoning_effort) config.model_reasoning_effort = variant.reasoning_effort;
  if (variant.compaction.policy !== 'none')
    config.model_auto_compact_token_limit = variant.compaction.threshold;
  if (variant.developer_message) config.developer_instructions = variant.developer_message;
  if (provider === 'openai') config.openai_base_url = opts.baseUrl;
  config.analytics = { enabled: false };
  config.feedback = { enabled: false };
  if (provider === 'custom') {
    config.model_providers = {
      [CUSTOM_PROVIDER_ID]: {
        name: 'turnbench proxy',
        base_url: opts.baseUrl,
        env_key: PLACEHOLDER_KEY_VAR,
        wire_api: 'responses',
      },
    };
  }
  return {
    configToml: stringify(config),
    env:
      provider === 'openai'
        ? { OPENAI_API_KEY: PLACEHOLDER_KEY }
        : { [PLACEHOLDER_KEY_VAR]: PLACEHOLDER_KEY },
    args: [
      'exec',
      '--skip-git-repo-check',
      // The container is the sandbox: Codex's own (bubblewrap, seccomp) cannot run unprivileged in it.
      '--dangerously-bypass-approvals-and-sandbox',
      '--color',
      'never',
      '--output-last-message',
      opts.lastMessageFile,
      ...overrideArgs(agent.config),
      ...agent.args,
      '-',
    ],
  };
}
