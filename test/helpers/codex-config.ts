import { stringify } from 'smol-toml';

/**
 * `$CODEX_HOME/config.toml` for the tests that run Codex CLI (`codex exec`) straight against the
 * sim (the product's own writer, `codexSetup` in src/agents, points Codex at the recording proxy
 * inside a sandbox). Checked against Codex 0.171 with `--strict-config`.
 *
 * What the provider choice decides in Codex:
 * - `custom`: a provider of our own name. Codex compacts *inline*: an ordinary `/responses`
 *   request with `tools: []` whose last user message asks for a handoff summary; the summary
 *   comes back as a user message after the kept user messages.
 * - `openai-compatible`: a provider of our own named exactly `OpenAI` (Codex's test for "is
 *   OpenAI" is the provider's `name`). Codex then compacts *remotely* (remote compaction v2): the
 *   history plus a trailing `{"type":"compaction_trigger"}` item, answered by one `compaction`
 *   output item — over HTTP, as the WebSocket transport stays off unless asked for.
 *
 * Which tools Codex declares follows from the model's metadata bundled in Codex: every model in
 * its catalogue (`gpt-5.5`, `gpt-5.6-*`, `gpt-6*`) declares `apply_patch` as a freeform
 * (`type: custom`) tool and runs commands with `exec_command`; a model it does not know (such as
 * `sim-1`) gets fallback metadata with no `apply_patch` tool at all.
 */
export interface CodexConfigOptions {
  /** Model name sent in requests (also picks Codex's bundled model metadata). */
  model: string;
  /** The Responses endpoint, e.g. `http://127.0.0.1:8123/v1`. */
  baseUrl: string;
  provider: 'custom' | 'openai-compatible';
  /** The provider's id in config.toml (default `turnbench`). */
  providerId?: string;
  /** Environment variable holding the API key, when the endpoint wants one. */
  apiKeyEnv?: string;
  /** `model_reasoning_effort` (`none`, `minimal`, `low`, `medium`, `high`, `xhigh`). */
  reasoningEffort?: string;
  /** Compact when the context passes this many tokens (`model_auto_compact_token_limit`). */
  autoCompactTokenLimit?: number;
  /** Retries of a failed request / a cut stream (Codex's defaults when unset). */
  requestMaxRetries?: number;
  streamMaxRetries?: number;
  /**
   * Codex's own sandbox for the commands it runs (`sandbox_mode`). `workspace-write` (bubblewrap,
   * bundled with Codex on Linux) works as root on a plain host; unset: Codex's default.
   */
  sandboxMode?: 'read-only' | 'workspace-write' | 'danger-full-access';
  /** Let Codex use the Responses WebSocket transport (`supports_websockets`); off by default. */
  websockets?: boolean;
}

const PROVIDER_ID = /^[A-Za-z0-9_-]+$/;

function count(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`codex config: ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

export function codexConfigToml(o: CodexConfigOptions): string {
  const id = o.providerId ?? 'turnbench';
  if (!PROVIDER_ID.test(id)) throw new Error(`codex config: providerId '${id}' must match ${PROVIDER_ID}`);
  if (!/^https?:\/\//.test(o.baseUrl)) {
    throw new Error(`codex config: baseUrl must be an http(s) URL, got '${o.baseUrl}'`);
  }
  const provider: Record<string, unknown> = {
    name: o.provider === 'openai-compatible' ? 'OpenAI' : 'turnbench sim',
    base_url: o.baseUrl,
    wire_api: 'responses',
    supports_websockets: o.websockets === true,
  };
  if (o.apiKeyEnv !== undefined) provider.env_key = o.apiKeyEnv;
  if (o.requestMaxRetries !== undefined)
    provider.request_max_retries = count('requestMaxRetries', o.requestMaxRetries);
  if (o.streamMaxRetries !== undefined)
    provider.stream_max_retries = count('streamMaxRetries', o.streamMaxRetries);
  const config: Record<string, unknown> = { model: o.model, model_provider: id };
  if (o.reasoningEffort !== undefined) config.model_reasoning_effort = o.reasoningEffort;
  if (o.autoCompactTokenLimit !== undefined) {
    config.model_auto_compact_token_limit = count('autoCompactTokenLimit', o.autoCompactTokenLimit);
  }
  // non-interactive: never stop to ask for an approval
  config.approval_policy = 'never';
  if (o.sandboxMode !== undefined) config.sandbox_mode = o.sandboxMode;
  config.check_for_update_on_startup = false;
  config.analytics = { enabled: false };
  config.model_providers = { [id]: provider };
  return stringify(config);
}
