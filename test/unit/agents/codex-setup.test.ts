import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { codexProvider, codexSetup, overrideArgs } from '../../../src/agents/index.js';
import { VariantSchema } from '../../../src/config/index.js';

const variant = (extra: Record<string, unknown>) =>
  VariantSchema.parse({ name: 'v', agent: 'codex', model: 'gpt-5-codex', ...extra });

const codexAgent = (v: ReturnType<typeof variant>) => {
  if (v.agent.type !== 'codex') throw new Error('not a codex variant');
  return v.agent;
};

const opts = { baseUrl: 'http://127.0.0.1:47611/v1', lastMessageFile: '/home/agent/.turnbench/last.txt' };

describe('Codex configuration from a variant', () => {
  it('points a provider of its own at the proxy, with a placeholder key and no compaction limit by default', () => {
    const v = variant({ reasoning_effort: 'high', developer_message: 'Be brief.' });
    const setup = codexSetup(v, codexAgent(v), opts);
    expect(parse(setup.configToml)).toEqual({
      model: 'gpt-5-codex',
      model_provider: 'turnbench',
      check_for_update_on_startup: false,
      model_reasoning_effort: 'high',
      developer_instructions: 'Be brief.',
      analytics: { enabled: false },
      feedback: { enabled: false },
      model_providers: {
        turnbench: {
          name: 'turnbench proxy',
          base_url: opts.baseUrl,
          env_key: 'TURNBENCH_API_KEY',
          wire_api: 'responses',
        },
      },
    });
    expect(setup.env).toEqual({ TURNBENCH_API_KEY: 'turnbench-proxy-holds-the-key' });
    expect(setup.args.slice(0, 3)).toEqual([
      'exec',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
    ]);
    expect(setup.args).toContain(opts.lastMessageFile);
    expect(setup.args.at(-1)).toBe('-'); // the task comes on standard input
  });

  it("uses Codex's built-in OpenAI provider for compaction_trigger, with the compaction limit", () => {
    const v = variant({ compaction: { policy: 'trigger', threshold: 20_000 } });
    expect(codexProvider(v, codexAgent(v))).toBe('openai');
    const setup = codexSetup(v, codexAgent(v), opts);
    const config = parse(setup.configToml);
    expect(config).toMatchObject({
      model_provider: 'openai',
      openai_base_url: opts.baseUrl,
      model_auto_compact_token_limit: 20_000,
    });
    expect(config.model_providers).toBeUndefined();
    expect(setup.env).toEqual({ OPENAI_API_KEY: 'turnbench-proxy-holds-the-key' });
  });

  it('summary compaction keeps a provider of its own (Codex then compacts inline)', () => {
    const v = variant({ compaction: { policy: 'summary', threshold: 9000 } });
    expect(codexProvider(v, codexAgent(v))).toBe('custom');
    expect(parse(codexSetup(v, codexAgent(v), opts).configToml)).toMatchObject({
      model_auto_compact_token_limit: 9000,
    });
  });

  it('writes extra -c overrides as TOML values and places extra arguments before the prompt', () => {
    expect(
      overrideArgs({ model_verbosity: 'low', 'features.x': true, n: 3, list: ['a', 'b"c'], t: { k: 'v' } }),
    ).toEqual([
      '-c',
      'model_verbosity="low"',
      '-c',
      'features.x=true',
      '-c',
      'n=3',
      '-c',
      'list=[ "a", "b\\"c" ]',
      '-c',
      't={ k = "v" }',
    ]);
    const v = variant({
      agent: { type: 'codex', config: { model_verbosity: 'low' }, args: ['--enable', 'x'] },
    });
    const args = codexSetup(v, codexAgent(v), opts).args;
    expect(args.slice(-5)).toEqual(['-c', 'model_verbosity="low"', '--enable', 'x', '-']);
  });
});
