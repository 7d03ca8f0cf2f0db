import { parse } from 'smol-toml';
import { describe, expect, test } from 'vitest';
import { codexConfigToml } from '../../helpers/codex-config.js';

describe('codexConfigToml (the Codex tests against the sim)', () => {
  test('a custom provider: inline compaction, no WebSocket, approvals off', () => {
    const toml = codexConfigToml({
      model: 'gpt-5.5',
      baseUrl: 'http://127.0.0.1:8123/v1',
      provider: 'custom',
      reasoningEffort: 'low',
      autoCompactTokenLimit: 10_000,
      sandboxMode: 'workspace-write',
    });
    expect(parse(toml)).toEqual({
      model: 'gpt-5.5',
      model_provider: 'turnbench',
      model_reasoning_effort: 'low',
      model_auto_compact_token_limit: 10_000,
      approval_policy: 'never',
      sandbox_mode: 'workspace-write',
      check_for_update_on_startup: false,
      analytics: { enabled: false },
      model_providers: {
        turnbench: {
          name: 'turnbench sim',
          base_url: 'http://127.0.0.1:8123/v1',
          wire_api: 'responses',
          supports_websockets: false,
        },
      },
    });
  });

  test('a provider named OpenAI (remote compaction), with a key variable, retries and WebSocket', () => {
    const toml = parse(
      codexConfigToml({
        model: 'gpt-5.6-sol',
        baseUrl: 'http://proxy:9000/v1',
        provider: 'openai-compatible',
        providerId: 'sim-openai',
        apiKeyEnv: 'SIM_KEY',
        requestMaxRetries: 0,
        streamMaxRetries: 1,
        websockets: true,
      }),
    );
    expect(toml.model_provider).toBe('sim-openai');
    expect(toml.model_providers).toEqual({
      'sim-openai': {
        name: 'OpenAI',
        base_url: 'http://proxy:9000/v1',
        wire_api: 'responses',
        supports_websockets: true,
        env_key: 'SIM_KEY',
        request_max_retries: 0,
        stream_max_retries: 1,
      },
    });
    expect(toml.sandbox_mode).toBeUndefined();
  });

  test('strings survive TOML quoting; bad values are one clear error', () => {
    expect(
      parse(codexConfigToml({ model: 'a"b\\c', baseUrl: 'http://h/v1', provider: 'custom' })).model,
    ).toBe('a"b\\c');
    const base = { model: 'm', baseUrl: 'http://h/v1', provider: 'custom' as const };
    expect(() => codexConfigToml({ ...base, providerId: 'bad id' })).toThrow(/providerId 'bad id'/);
    expect(() => codexConfigToml({ ...base, baseUrl: 'h:1' })).toThrow(/baseUrl must be an http/);
    expect(() => codexConfigToml({ ...base, autoCompactTokenLimit: -1 })).toThrow(/autoCompactTokenLimit/);
  });
});
