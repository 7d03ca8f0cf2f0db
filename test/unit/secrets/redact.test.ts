import { afterEach, describe, expect, it } from 'vitest';
import {
  forgetSecrets,
  REDACTED,
  redact,
  registerSecret,
  registerSecretsFromEnv,
} from '../../../src/secrets/index.js';

afterEach(() => forgetSecrets());

describe('redact', () => {
  it('removes registered secret values wherever they occur, longest first', () => {
    registerSecret('plain-value-1234');
    registerSecret('plain-value-1234-longer');
    expect(redact('a plain-value-1234-longer b plain-value-1234 c')).toBe(`a ${REDACTED} b ${REDACTED} c`);
  });

  it('ignores values too short to be secrets', () => {
    registerSecret('sim');
    registerSecret('');
    registerSecret(undefined);
    expect(redact('the sim answered')).toBe('the sim answered');
  });

  it('takes keys from the environment: the names given and names that look like secrets', () => {
    registerSecretsFromEnv(
      {
        MY_PROVIDER: 'given-by-name-999',
        GITHUB_TOKEN: 'ghp_tokenvalue123',
        HOME: '/home/someone',
        LANG: 'C.UTF-8',
      },
      ['MY_PROVIDER'],
    );
    expect(redact('given-by-name-999 ghp_tokenvalue123 /home/someone')).toBe(
      `${REDACTED} ${REDACTED} /home/someone`,
    );
  });

  it('removes credential-shaped text without knowing the value', () => {
    expect(redact('401 invalid key: Bearer sk-abcdefghijklmnopqrstuv')).toBe(
      `401 invalid key: Bearer ${REDACTED}`,
    );
    expect(redact('Incorrect API key provided: sk-proj-AAAAbbbbCCCCdddd1234.')).toBe(
      `Incorrect API key provided: sk-${REDACTED}.`,
    );
    expect(redact('Authorization: Basic dXNlcjpwYXNzd29yZA==')).toBe(`Authorization: ${REDACTED}`);
    expect(redact('{"api_key": "abcd1234efgh5678"}')).toBe(`{"api_key": "${REDACTED}"}`);
    expect(redact('x-api-key=abcd1234efgh5678')).toBe(`x-api-key=${REDACTED}`);
  });

  it('leaves ordinary prose and record fields alone', () => {
    const text =
      'Basic instructions: the bearer of bad news; "prompt_cache_key":"tb-run-sample", "api_key_env":"OPENAI_API_KEY", input_tokens 12';
    expect(redact(text)).toBe(text);
  });

  it('keeps a JSON line valid: a key inside a JSON string is replaced in its escaped form too', () => {
    registerSecret('quote"in-the-key');
    const line = JSON.stringify({
      error: { message: 'echo quote"in-the-key and Bearer abcdefghijklmnopqrstuvwxyz' },
    });
    const out = redact(line);
    expect(JSON.parse(out)).toEqual({ error: { message: `echo ${REDACTED} and Bearer ${REDACTED}` } });
  });
});
