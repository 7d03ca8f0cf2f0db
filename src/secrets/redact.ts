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
/** Length of the longest form (plain or JSON-escaped) of a registered secret. */
let longestForm = 0;
/** Whether a registered secret spans lines (a PEM key, say). */
let multiLine = false;

/** Characters a credential shape's value is made of (the union of the shapes' value classes). */
const VALUE_CHAR = /[A-Za-z0-9._~+/=-]/;
/** Text ending in what a shape's value follows: a value starting next would be missed if cut here. */
const ENDS_IN_SHAPE_PREFIX =
  /(?:authorization|bearer|basic|token|api[-_ ]?key|access[-_ ]?token|auth[-_ ]?token)[\s"':=]*$/i;

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
  longestForm = Math.max(longestForm, value.length, JSON.stringify(value).length - 2);
  multiLine ||= value.includes('\n');
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
  longestForm = 0;
  multiLine = false;
}

/** The longest text a registered secret can occupy (its JSON-escaped form included); 0 with none. */
export function longestSecretForm(): number {
  return longestForm;
}

/** Whether a registered secret spans lines: then a line end is no safe place to cut text. */
export function aSecretSpansLines(): boolean {
  return multiLine;
}

/** The character after a cut; at the end of the text it is unknown yet, so it may be a value's. */
function nextChar(text: string, at: number): string {
  return at < text.length ? text[at]! : 'x';
}

/** A value run longer than this is no credential (a base64 image, say): it may be cut inside. */
const LONGEST_SHAPED_VALUE = 2048;

/**
 * Whether `text` may be cut at `at` and each side redacted on its own without letting a credential
 * shape through: not inside a run of value characters (a keyword or a value; runs longer than any
 * credential excepted, unless an `sk-` key starts in reach), nor right after a shape's keyword.
 * Known secret values are the caller's to keep whole (longestSecretForm).
 */
export function isSafeCut(text: string, at: number): boolean {
  if (at <= 0) return true;
  if (VALUE_CHAR.test(text[at - 1]!) && VALUE_CHAR.test(nextChar(text, at))) {
    const floor = at - LONGEST_SHAPED_VALUE;
    if (floor <= 0) return false;
    for (let i = at - 1; i >= floor; i--) if (!VALUE_CHAR.test(text[i]!)) return false;
    return !text.slice(floor, at).includes('sk-');
  }
  return !ENDS_IN_SHAPE_PREFIX.test(text.slice(Math.max(0, at - 64), at));
}

/**
 * The last place at or before `upTo` (looking back at most `window` characters) where `text` may be
 * cut (see isSafeCut); -1 when there is none. Places between two runs of value characters are tried
 * first (cheap), then a cut inside one over-long run.
 */
export function lastSafeCut(text: string, upTo: number, window: number): number {
  const floor = Math.max(1, upTo - window);
  for (let at = upTo; at >= floor; at--) {
    if (VALUE_CHAR.test(text[at - 1]!) && VALUE_CHAR.test(nextChar(text, at))) continue;
    if (isSafeCut(text, at)) return at;
  }
  return upTo > 0 && isSafeCut(text, upTo) ? upTo : -1;
}

/** `text` with every known secret and every credential-shaped string replaced by [redacted]. */
export function redact(text: string): string {
  return redactShapes(redactKnownSecrets(text));
}

/** `text` with the values of registered secrets replaced (not the shapes). */
export function redactKnownSecrets(text: string): string {
  let out = text;
  for (const { plain, escaped } of ordered) {
    if (out.includes(plain)) out = out.replaceAll(plain, REDACTED);
    // the same value as it appears inside a JSON string (a key holding a quote or a backslash)
    if (escaped !== null && out.includes(escaped)) out = out.replaceAll(escaped, REDACTED);
  }
  return out;
}

/** `text` with every credential-shaped string replaced (not the registered values). */
export function redactShapes(text: string): string {
  if (!MAY_HAVE_SHAPE.test(text)) return text;
  let out = text;
  for (const { pattern, replace } of SHAPES) out = out.replace(pattern, replace);
  return out;
}
