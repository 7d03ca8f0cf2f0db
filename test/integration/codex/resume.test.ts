import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResponseOutputItem } from 'openai/resources/responses/responses';
import { afterEach, describe, expect, test } from 'vitest';
import { type SimServer, startSimServer } from '../../../src/sim/index.js';
import { type CodexExecOptions, closeCodexTest, runCodexExec } from '../../helpers/codex.js';
import { type RecordingProxy, startRecordingProxy } from '../../helpers/recording-proxy.js';

/**
 * `codex exec resume --last <prompt>` (Codex 0.171) sends the whole earlier session (its task,
 * tool calls and answer) followed by the new prompt. A model answers the new prompt; the sim
 * must run the new prompt's script from its start, not the earlier task's again.
 */

const FIRST = 'Print the word first.';
const SECOND = 'Now print the word second.';

let sim: SimServer | undefined;
let proxy: RecordingProxy | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await closeCodexTest({ proxy, sim, dirs });
  proxy = undefined;
  sim = undefined;
});

const commands = (output: ResponseOutputItem[] | undefined): string[] =>
  (output ?? []).flatMap((o) =>
    o.type === 'function_call' ? [(JSON.parse(o.arguments) as { cmd: string }).cmd] : [],
  );

describe('Codex CLI 0.171 resuming a session with a new prompt', () => {
  test('the new prompt runs its own script, after the earlier task', { timeout: 200_000 }, async () => {
    sim = await startSimServer({ seed: 4 });
    sim.scripts.register(FIRST, {
      steps: [{ tool: 'exec_command', args: { cmd: 'echo first' } }],
      final: 'Printed first.',
      reasoning_tokens: 8,
    });
    sim.scripts.register(SECOND, {
      steps: [{ tool: 'exec_command', args: { cmd: 'echo second' } }],
      final: 'Printed second.',
      reasoning_tokens: 8,
    });
    proxy = await startRecordingProxy(sim.url);
    const root = mkdtempSync(join(tmpdir(), 'tb-codex-resume-'));
    dirs.push(root);
    const work = join(root, 'work');
    mkdirSync(work, { recursive: true });
    const base: Omit<CodexExecOptions, 'prompt'> = {
      codexHome: join(root, 'codex-home'),
      cwd: work,
      config: { model: 'gpt-5.5', baseUrl: proxy.url, provider: 'custom', reasoningEffort: 'low' },
      timeoutMs: 90_000,
    };

    const first = await runCodexExec({ ...base, prompt: FIRST });
    expect(first.code, first.stderr.slice(-2000)).toBe(0);
    expect(first.lastMessage.trim()).toBe('Printed first.');
    const before = proxy.exchanges.length;
    expect(before).toBe(2);

    const second = await runCodexExec({ ...base, prompt: SECOND, resumeLast: true });
    expect(second.code, second.stderr.slice(-2000)).toBe(0);
    const resumed = proxy.exchanges.slice(before);
    // the resumed session was sent whole: the earlier task and its call come before the new prompt
    const input = JSON.stringify(resumed[0]?.body?.input ?? []);
    expect(input.indexOf('echo first')).toBeGreaterThan(-1);
    expect(input.indexOf('echo first')).toBeLessThan(input.lastIndexOf(SECOND));
    // and the new prompt's script ran: its one command, then its final message
    expect(resumed.map((e) => commands(e.response?.output))).toEqual([['echo second'], []]);
    expect(second.lastMessage.trim()).toBe('Printed second.');
  });
});
