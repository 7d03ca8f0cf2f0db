import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import type { Response } from 'openai/resources/responses/responses';
import { describe, expect, test } from 'vitest';
import { resolveServerOptions } from '../../../src/sim/behaviour/options.js';
import { createContext, type SimContext } from '../../../src/sim/context.js';
import { handleResponsesCreate } from '../../../src/sim/responses/create.js';
import { renderResponsesRequest } from '../../../src/sim/responses/render.js';
import { inputItems, ResponsesCreateSchema } from '../../../src/sim/responses/schema.js';

/**
 * The sim's input token counts are gpt-tokenizer's o200k counts of what it renders, whatever path
 * its tokeniser takes (the ASCII fast path of issue 13, the library for the rest): Codex CLI and
 * the SDK tests compare usage exactly. The body is shaped like Codex's: long developer
 * instructions with typographic punctuation, function tools and a freeform grammar tool,
 * environment context, reasoning, calls and outputs of code, a diff and command output.
 */

const PLAIN = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

/** ASCII only (the fast path): contractions, Markdown, code spans. */
const INSTRUCTIONS = [
  'You are Codex, a coding agent. You and the user share the same workspace; keep changes small.',
  "Don't guess: read files before editing them. It's fine to say you're unsure; we'll check, THEY'LL too.",
  '## Tool use\n- Prefer `rg` over `grep`.\n- Use apply_patch for edits: never write files with `cat <<EOF`.',
]
  .join('\n\n')
  .repeat(12);

/** Not ASCII (the library's path). */
const DEVELOPER =
  'Résumé of the sandbox — workspace-write, network disabled. Ask before “dangerous” commands…';

const TOOLS = [
  {
    type: 'function',
    name: 'shell',
    description: 'Runs a shell command and returns its output.',
    strict: false,
    parameters: {
      type: 'object',
      properties: {
        command: { type: 'array', items: { type: 'string' }, description: 'The command and its arguments.' },
        workdir: { type: 'string' },
        timeout_ms: { type: 'number' },
      },
      required: ['command'],
      additionalProperties: false,
    },
  },
  {
    type: 'function',
    name: 'update_plan',
    description: 'Updates the task plan.',
    strict: false,
    parameters: { type: 'object', properties: { plan: { type: 'array', items: { type: 'object' } } } },
  },
  {
    type: 'custom',
    name: 'apply_patch',
    description: 'Use the `apply_patch` tool to edit files.',
    format: {
      type: 'grammar',
      syntax: 'lark',
      definition: 'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF\n%import common.LF',
    },
  },
];

const SOURCE = Array.from(
  { length: 80 },
  (_, i) =>
    `export function step${i}(input: string): number {\n  return input.length * ${i} + 0x${(i * 7919).toString(16)};\n}`,
).join('\n\n');

const DIFF = `*** Begin Patch\n*** Update File: src/app.ts\n@@\n-const retries = 3;\n+const retries = 5; // was 3\n*** End Patch\n`;

const LISTING = Array.from(
  { length: 120 },
  (_, i) =>
    `-rw-r--r-- 1 user staff ${1000 + i * 37} Dec  1 14:${String(i % 60).padStart(2, '0')} file_${i}.log`,
).join('\n');

function codexBody(): Record<string, unknown> {
  return {
    model: 'gpt-5.5',
    instructions: INSTRUCTIONS,
    tools: TOOLS,
    tool_choice: 'auto',
    parallel_tool_calls: false,
    reasoning: { effort: 'medium', summary: 'auto' },
    store: false,
    stream: false,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: 'token-counts-test',
    input: [
      {
        type: 'message',
        role: 'developer',
        content: [{ type: 'input_text', text: `<permissions instructions>\n${DEVELOPER}\n` }],
      },
      {
        type: 'message',
        role: 'user',
        content: [
          {
            type: 'input_text',
            text: '<environment_context>\n  <cwd>/workspace</cwd>\n  <shell>bash</shell>\n</environment_context>',
          },
        ],
      },
      {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'Fix the failing test in src/app.ts.' }],
      },
      {
        type: 'reasoning',
        id: 'rs_1',
        summary: [{ type: 'summary_text', text: '**Reading the code** before changing it.' }],
        encrypted_content: 'gAAAAABo-not-the-sims-own-reasoning_0123456789abcdefABCDEF==',
      },
      {
        type: 'function_call',
        call_id: 'call_1',
        name: 'shell',
        arguments: '{"command":["cat","src/app.ts"]}',
      },
      { type: 'function_call_output', call_id: 'call_1', output: SOURCE },
      { type: 'custom_tool_call', call_id: 'call_2', name: 'apply_patch', input: DIFF },
      {
        type: 'custom_tool_call_output',
        call_id: 'call_2',
        output: 'Success. Updated the following files:\nM src/app.ts',
      },
      {
        type: 'function_call',
        call_id: 'call_3',
        name: 'shell',
        arguments: '{"command":["ls","-l","logs"]}',
      },
      { type: 'function_call_output', call_id: 'call_3', output: LISTING },
    ],
  };
}

/** The o200k count of every piece the sim renders for the body, by gpt-tokenizer itself. */
function libraryCount(body: Record<string, unknown>): number {
  const parsed = ResponsesCreateSchema.parse(body);
  const { segments } = renderResponsesRequest(
    parsed.tools ?? [],
    parsed.instructions,
    inputItems(parsed.input),
  );
  let n = 0;
  for (const seg of segments) for (const piece of seg.pieces) n += encode(piece, PLAIN).length;
  return n;
}

function respond(ctx: SimContext, body: Record<string, unknown>): Response {
  const reply = handleResponsesCreate(ctx, { json: body, bytes: 0, options: ctx.defaults });
  if (reply.kind !== 'json') throw new Error('expected a JSON reply');
  return reply.body as Response;
}

describe('sim input token counts', () => {
  test('a Codex-shaped body counts exactly what gpt-tokenizer counts, cold and cached', () => {
    const body = codexBody();
    const expected = libraryCount(body);
    expect(expected).toBeGreaterThan(5_000);

    const ctx = createContext({ defaults: resolveServerOptions(undefined, undefined, 1) });
    const cold = respond(ctx, body);
    expect(cold.usage?.input_tokens).toBe(expected);
    expect(cold.usage?.input_tokens_details.cached_tokens).toBe(0);

    // the same prompt again: every text comes from the token cache, and the prefix cache hits
    // every whole 128-token block
    const warm = respond(ctx, body);
    expect(warm.usage?.input_tokens).toBe(expected);
    expect(warm.usage?.input_tokens_details.cached_tokens).toBe(Math.floor(expected / 128) * 128);

    // and without the token cache (every text tokenised afresh)
    const uncached = createContext({
      defaults: resolveServerOptions(undefined, undefined, 1),
      tokenCache: false,
    });
    expect(respond(uncached, body).usage?.input_tokens).toBe(expected);
  });
});
