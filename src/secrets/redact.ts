/**
 * The one place secrets are taken out of text before it is recorded or printed: results files,
 * progress lines, error messages, reports. A provider that echoes the API key in its error
 * (`401 invalid key: Bearer sk-...`) must not put it into samples.jsonl, a report or stdout.
 *
 * Two kinds of match:
 * - the values of secrets this process knows (the API keys it read from the environment, and
 *   any environment variable named like a key, token, secret or password), wherever they occur;
 * - text shaped like a credential: `Authorization: <anything>`, `Bearer <token>`, `sk-...` keys,
 *   `api_key: <value>`.
 */

export const REDACTED = '[redacted]';

/** Shorter values are not treated as secrets: redacting every "sim" or "abc" would garble records. */
const MIN_SECRET_CHARS = 8;

/** Environment variables whose values are secrets by their name. */
const SECRET_ENV_NAME = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

const SHAPES: Array<{ pattern: RegExp; replace: string }> = [
  {
    pattern: /\b(Authorization["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic|Token)\s+)?[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: `$1${REDACTED}`,
  },
  { pattern: /\bBearer(\s+)[A-Za-z0-9._~+/=-]{16,}/g, replace: `Bearer$1${REDACTED}` },
  { pattern: /\bsk-[A-Za-z0-9_-]{16,}/g, replace: `sk-${REDACTED}` },
  {
    pattern:
      /\b(api[-_ ]?key|x-api-key|access[-_ ]?token|auth[-_ ]?token)(["']?\s*[:=]\s*["']?)[A-Za-z0-9._~+/-]{8,}/gi,
    replace: `$1$2${REDACTED}`,
  },
];
/** Cheap test first: most text (a turn record) holds none of the words the shapes start with. */
const MAY_HAVE_SHAPE = /authorization|bearer|sk-|api[-_ ]?key|access[-_ ]?token|auth[-_ ]?token/i;

const secrets = new Set<string>();
/** Each secret as it is, and as it appears inside a JSON string (when that differs), longest first. */
let ordered: Array<{ plain: string; escaped: string | null }> = [];

/** Remember a secret value for this process (values shorter than 8 characters are ignored). */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_CHARS || secrets.has(value)) return;
  secrets.add(value);
  // Longest first, so a secret that contains another is replaced whole.
  ordered = [...secrets]
    .sort((a, b) => b.length - a.length)
    .map((plain) => {
      const escaped = JSON.stringify(plain).slice(1, -1);
      return { plain, escaped: escaped === plain ? null : escaped };
    });
}

/** Remember the values of these environment variables and of every variable named like a secret. */
export function registerSecretsFromEnv(env: NodeJS.ProcessEnv, names: Iterable<string> = []): void {
  for (const name of names) registerSecret(env[name]);
  for (const [name, value] of Object.entries(env)) if (SECRET_ENV_NAME.test(name)) registerSecret(value);
}

/** For tests: forget every registered secret. */
export function forgetSecrets(): void {
  secrets.clear();
  ordered = [];
}

/** `text` with every known secret and every credential-shaped string replaced by [redacted]. */
export function redact(text: string): string {
  let out = text;
  for (const { plain, escaped } of ordered) {
    if (out.includes(plain)) out = out.replaceAll(plain, REDACTED);
    // the same value as it appears inside a JSON string (a key holding a quote or a backslash)
    if (escaped !== null && out.includes(escaped)) out = out.replaceAll(escaped, REDACTED);
  }
  if (!MAY_HAVE_SHAPE.test(out)) return out;
  for (const { pattern, replace } of SHAPES) out = out.replace(pattern, replace);
  return out;
}
