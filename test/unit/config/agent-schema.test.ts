import { describe, expect, it } from 'vitest';
import { configErrorFromZod, VariantSchema } from '../../../src/config/index.js';

const issues = (raw: object) => {
  const parsed = VariantSchema.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('agent: on a variant', () => {
  it('defaults to the builtin loop, which needs instructions', () => {
    expect(VariantSchema.parse({ name: 'a', instructions: 'x' }).agent).toEqual({ type: 'builtin' });
    expect(issues({ name: 'a' })).toEqual(['instructions: the builtin agent needs instructions']);
  });

  it('takes a name as shorthand and fills the defaults', () => {
    expect(VariantSchema.parse({ name: 'c', agent: 'codex' }).agent).toEqual({
      type: 'codex',
      config: {},
      args: [],
    });
    expect(
      VariantSchema.parse({ name: 'p', agent: { type: 'command', command: ['pi', '-p', '{{task}}'] } }).agent,
    ).toMatchObject({
      task: 'argument',
      base_url_vars: ['OPENAI_BASE_URL'],
      api_key_vars: ['OPENAI_API_KEY'],
      retries: 'agent',
    });
  });

  it("refuses the builtin loop's prompt fields on an agent variant, naming each", () => {
    expect(issues({ name: 'c', agent: 'codex', instructions: 'x', layout: {} })).toEqual([
      'instructions: not used with agent: codex (the agent builds its own prompt)',
      'layout: not used with agent: codex (the agent builds its own prompt)',
    ]);
  });

  it("checks Codex's constraints: the Responses API, its two ways to compact, the provider that goes with each", () => {
    expect(issues({ name: 'c', agent: 'codex', api: 'chat' })).toEqual([
      'api: Codex speaks only the Responses API (api: responses)',
    ]);
    expect(issues({ name: 'c', agent: 'codex', compaction: { policy: 'endpoint' } })[0]).toMatch(
      /^compaction\.policy: /,
    );
    expect(
      issues({
        name: 'c',
        agent: { type: 'codex', provider: 'custom' },
        compaction: { policy: 'trigger' },
      })[0],
    ).toMatch(/^agent\.provider: /);
  });

  it('a command agent takes the task as a {{task}} argument or on stdin', () => {
    expect(issues({ name: 'p', agent: { type: 'command', command: ['agent'] } })).toEqual([
      'agent.command: put {{task}} in one argument, or set task: stdin',
    ]);
    expect(issues({ name: 'p', agent: { type: 'command', command: ['agent'], task: 'stdin' } })).toEqual([]);
    // as the loader reports it: the branch of the union that fits, down to the field
    const bad = VariantSchema.safeParse({
      name: 'p',
      agent: { type: 'command', command: ['a', '{{task}}'], env: { 'BAD-NAME': 'x' } },
    });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(configErrorFromZod('suite.yaml', bad.error).message).toMatch(/agent\.env/);
  });
});
