// Writes test/fixtures/codex/v0.171-subagents/ from a real run; not part of `npm test`. Run it with
//   TURNBENCH_FIXTURE_OUT=test/fixtures/codex/v0.171-subagents \
//     npx vitest run --config vitest.manual.config.ts test/manual/codex-subagents-fixture.check.ts
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSubAgentSession } from '../helpers/codex-subagents.js';

/** Where the run's temp folder stood, as the fixture names it. */
const ROOT = '/tmp/tb-codex-subagents';
const LONG = 1500;

/** As the other v0.171 fixtures: strings over 1,500 characters cut to their first 300 plus a mark. */
function trimmed(text: string): string {
  return text.length > LONG ? `${text.slice(0, 300)}…[trimmed]` : text;
}

function redact(value: unknown, replace: (text: string) => string): unknown {
  if (typeof value === 'string') return trimmed(replace(value));
  if (Array.isArray(value)) return value.map((v) => redact(v, replace));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, replace)]));
  }
  return value;
}

describe('the Codex 0.171 sub-agent fixture', () => {
  it('is written from a real run', async () => {
    const out = process.env.TURNBENCH_FIXTURE_OUT;
    if (!out) throw new Error('set TURNBENCH_FIXTURE_OUT to the fixture folder');
    const root = mkdtempSync(join(tmpdir(), 'tb-codex-subagents-'));
    const run = await runSubAgentSession({ root, model: 'gpt-5.5', websockets: false });
    try {
      const home = process.env.HOME ?? '/root';
      // the run's own folder, then the user's home (a shell's messages name it in command output)
      const replace = (text: string) => text.replaceAll(root, ROOT).replaceAll(`${home}/`, '/home/user/');
      mkdirSync(out, { recursive: true });
      const threads = new Map<string, string>();
      run.rollouts.forEach((file, i) => {
        const lines = readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.stringify(redact(JSON.parse(l), replace)));
        writeFileSync(join(out, basename(file)), `${lines.join('\n')}\n`);
        const id = /([0-9a-f-]{36})\.jsonl$/.exec(file)?.[1] ?? '';
        threads.set(id, ['parent', 'child', 'fork'][i] ?? 'other');
      });
      const requests = run.exchanges.map((e) => {
        const body = e.body ?? {};
        const input = (body.input as unknown[] | undefined) ?? [];
        return redact(
          {
            thread: threads.get(e.headers['thread-id'] ?? '') ?? 'other',
            response_id: e.response?.id ?? null,
            model: body.model,
            reasoning: body.reasoning ?? null,
            tool_names: ((body.tools as Array<{ name?: string; type: string }> | undefined) ?? []).map(
              (t) => t.name ?? t.type,
            ),
            // the base instructions Codex sends first are not in the log
            input: input.slice(1),
          },
          replace,
        );
      });
      writeFileSync(join(out, 'subagents.requests.json'), `${JSON.stringify(requests, null, 1)}\n`);
      const proxied = run.turns.map((t) => ({
        turn: t.turn,
        thread: threads.get(t.conversation ?? '') ?? 'other',
        conversation: t.conversation,
        kind: t.kind,
        response_id: t.response_id,
        input_tokens: t.input_tokens,
        cached_tokens: t.cached_tokens,
        cache_write_tokens: t.cache_write_tokens,
        output_tokens: t.output_tokens,
        reasoning_tokens: t.reasoning_tokens,
        item_count: t.item_count,
      }));
      writeFileSync(join(out, 'subagents.proxy.json'), `${JSON.stringify(proxied, null, 1)}\n`);
      expect([...threads.values()]).toEqual(['parent', 'child', 'fork']);
    } finally {
      await run.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
