/**
 * `$CODEX_HOME/config.toml` for running Codex CLI (`codex exec`) against an OpenAI-compatible
 * Responses endpoint such as `turnbench sim`. Pure: it returns the file's text; the caller
 * writes it into a private CODEX_HOME. Checked against Codex 0.171 (`codex exec --strict-config`
 * accepts every key written here).
 *
 * What the provider choice decides in Codex:
 * - `custom`: a provider of our own name. Codex compacts *inline*: an ordinary `/responses`
 *   request with `tools: []` whose last user message asks for a handoff summary; the summary
 *   comes back as a user message after the kept user messages.
 * - `openai-compatible`: a provider named exactly `OpenAI` (Codex's test for "is OpenAI" is the
 *   provider's `name`). Codex then compacts *remotely* (remote compaction v2): the history plus a
 *   trailing `{"type":"compaction_trigger"}` item, answered by one `compaction` output item.
 *   The WebSocket transport is off unless asked for (`supports_websockets`); Codex's built-in
 *   `openai` provider opens `GET /responses` as a WebSocket first and falls back to HTTP.
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
   * bundled with Codex on Linux) works as root on a plain host; inside a container that is the
   * sandbox already, `danger-full-access`. Unset: Codex's default.
   */
  sandboxMode?: 'read-only' | 'workspace-write' | 'danger-full-access';
  /**
   * Let Codex use the Responses WebSocket transport (`supports_websockets`); off by default, so
   * every request is an HTTP POST.
   */
  websockets?: boolean;
}

const PROVIDER_ID = /^[A-Za-z0-9_-]+$/;

/** A TOML basic string (a JSON string literal is one). */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

function tomlInteger(name: string, value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`codex config: ${name} must be a non-negative integer, got ${value}`);
  }
  return String(value);
}

export function codexConfigToml(o: CodexConfigOptions): string {
  const id = o.providerId ?? 'turnbench';
  if (!PROVIDER_ID.test(id)) throw new Error(`codex config: providerId '${id}' must match ${PROVIDER_ID}`);
  if (!/^https?:\/\//.test(o.baseUrl)) {
    throw new Error(`codex config: baseUrl must be an http(s) URL, got '${o.baseUrl}'`);
  }
  const top = [`model = ${tomlString(o.model)}`, `model_provider = ${tomlString(id)}`];
  if (o.reasoningEffort !== undefined) top.push(`model_reasoning_effort = ${tomlString(o.reasoningEffort)}`);
  if (o.autoCompactTokenLimit !== undefined) {
    top.push(
      `model_auto_compact_token_limit = ${tomlInteger('autoCompactTokenLimit', o.autoCompactTokenLimit)}`,
    );
  }
  // non-interactive: never stop to ask for an approval
  top.push('approval_policy = "never"');
  if (o.sandboxMode !== undefined) top.push(`sandbox_mode = ${tomlString(o.sandboxMode)}`);
  top.push('check_for_update_on_startup = false');

  const provider = [
    `[model_providers.${id}]`,
    `name = ${tomlString(o.provider === 'openai-compatible' ? 'OpenAI' : 'turnbench sim')}`,
    `base_url = ${tomlString(o.baseUrl)}`,
    'wire_api = "responses"',
    `supports_websockets = ${o.websockets === true}`,
  ];
  if (o.apiKeyEnv !== undefined) provider.push(`env_key = ${tomlString(o.apiKeyEnv)}`);
  if (o.requestMaxRetries !== undefined) {
    provider.push(`request_max_retries = ${tomlInteger('requestMaxRetries', o.requestMaxRetries)}`);
  }
  if (o.streamMaxRetries !== undefined) {
    provider.push(`stream_max_retries = ${tomlInteger('streamMaxRetries', o.streamMaxRetries)}`);
  }
  return `${top.join('\n')}\n\n${provider.join('\n')}\n`;
}
