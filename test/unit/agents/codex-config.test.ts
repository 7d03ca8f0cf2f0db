import { describe, expect, test } from 'vitest';
import { codexConfigToml } from '../../../src/agents/codex-config.js';

describe('codexConfigToml', () => {
  test('a custom provider: inline compaction, no WebSocket, approvals off', () => {
    const toml = codexConfigToml({
      model: 'gpt-5.5',
      baseUrl: 'http://127.0.0.1:8123/v1',
      provider: 'custom',
      reasoningEffort: 'low',
      autoCompactTokenLimit: 10_000,
      sandboxMode: 'workspace-write',
    });
    expect(toml).toBe(
      [
        'model = "gpt-5.5"',
        'model_provider = "turnbench"',
        'model_reasoning_effort = "low"',
        'model_auto_compact_token_limit = 10000',
        'approval_policy = "never"',
        'sandbox_mode = "workspace-write"',
        'check_for_update_on_startup = false',
        '',
        '[model_providers.turnbench]',
        'name = "turnbench sim"',
        'base_url = "http://127.0.0.1:8123/v1"',
        'wire_api = "responses"',
        'supports_websockets = false',
        '',
      ].join('\n'),
    );
  });

  test('a provider named OpenAI (remote compaction), with a key variable and retries', () => {
    const toml = codexConfigToml({
      model: 'gpt-5.6-sol',
      baseUrl: 'http://proxy:9000/v1',
      provider: 'openai-compatible',
      providerId: 'sim-openai',
      apiKeyEnv: 'SIM_KEY',
      requestMaxRetries: 0,
      streamMaxRetries: 1,
    });
    expect(toml).toContain('model_provider = "sim-openai"\n');
    expect(toml).toContain('[model_providers.sim-openai]\nname = "OpenAI"\n');
    expect(toml).toContain('env_key = "SIM_KEY"\nrequest_max_retries = 0\nstream_max_retries = 1\n');
    expect(toml).not.toContain('sandbox_mode');
  });

  test('strings are escaped as TOML basic strings; bad values are one clear error', () => {
    const toml = codexConfigToml({ model: 'a"b\\c', baseUrl: 'http://h/v1', provider: 'custom' });
    expect(toml).toContain('model = "a\\"b\\\\c"\n');
    const base = { model: 'm', baseUrl: 'http://h/v1', provider: 'custom' as const };
    expect(() => codexConfigToml({ ...base, providerId: 'bad id' })).toThrow(/providerId 'bad id'/);
    expect(() => codexConfigToml({ ...base, baseUrl: 'h:1' })).toThrow(/baseUrl must be an http/);
    expect(() => codexConfigToml({ ...base, autoCompactTokenLimit: -1 })).toThrow(/autoCompactTokenLimit/);
  });
});
