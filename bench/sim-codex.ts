import { resolveServerOptions } from '../src/sim/behaviour/options.js';
import { createContext } from '../src/sim/context.js';
import { handleResponsesCreate } from '../src/sim/responses/create.js';
import { median } from './util.js';

/**
 * The sim's CPU per request on Codex-sized requests: bodies shaped like Codex CLI's (~40 KB from
 * the first turn: long developer instructions, a dozen tools with JSON schemas and a freeform
 * grammar tool, environment context; then reasoning items with encrypted content, calls and
 * outputs). Measured in-process: body parse, the handler, and serialising the SSE events it
 * returns (everything the server does but socket I/O). The baseline is the floor of touching
 * the same body: JSON.parse plus JSON.stringify of it.
 */

const TASK = 'Codex-sized benchmark task: fix the failing test and report.';
const TURNS = 30;

/** Deterministic English-like filler of about `words` words. */
function prose(seed: number, words: number): string {
  const vocabulary = [
    'the',
    'agent',
    'runs',
    'commands',
    'in',
    'a',
    'sandbox',
    'and',
    'edits',
    'files',
    'with',
    'patches',
    'before',
    'it',
    'answers',
    'user',
    'workspace',
    'tests',
    'must',
    'pass',
    'when',
    'done',
    'keep',
    'changes',
    'small',
    'explain',
    'what',
    'changed',
    'why',
    'never',
    'guess',
  ];
  const out: string[] = [];
  let x = seed * 7919 + 13;
  for (let i = 0; i < words; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(vocabulary[x % vocabulary.length] as string);
    if (i % 17 === 16) out.push('.\n');
  }
  return out.join(' ');
}

function tools(): unknown[] {
  const fns = Array.from({ length: 11 }, (_, i) => ({
    type: 'function',
    name: `tool_${i}`,
    description: prose(100 + i, 60),
    strict: false,
    parameters: {
      type: 'object',
      properties: Object.fromEntries(
        Array.from({ length: 5 }, (_, k) => [
          `field_${k}`,
          { type: 'string', description: prose(i * 10 + k, 14) },
        ]),
      ),
      required: ['field_0'],
      additionalProperties: false,
    },
  }));
  const grammar = { type: 'grammar', syntax: 'lark', definition: prose(999, 180) };
  return [...fns, { type: 'custom', name: 'apply_patch', description: prose(998, 30), format: grammar }];
}

function bodies(): string[] {
  const base = [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: prose(1, 3600) }] },
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: prose(2, 450) }] },
    {
      type: 'message',
      role: 'user',
      content: [
        {
          type: 'input_text',
          text: `<environment_context>\n  <cwd>/workspace</cwd>\n  ${prose(3, 40)}\n</environment_context>`,
        },
      ],
    },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: TASK }] },
  ];
  const input: unknown[] = [...base];
  const out: string[] = [];
  const declared = tools();
  for (let t = 0; t < TURNS; t++) {
    out.push(
      JSON.stringify({
        model: 'gpt-5.5',
        stream: true,
        input,
        tools: declared,
        tool_choice: 'auto',
        parallel_tool_calls: true,
        reasoning: { effort: 'low' },
        store: false,
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: 'bench-codex',
        text: { verbosity: 'low' },
      }),
    );
    const callId = `call_s${t}_0_codex${t}`;
    input.push(
      {
        type: 'reasoning',
        id: `rs_${t}`,
        summary: [],
        encrypted_content: `gAAAA${prose(500 + t, 120).replaceAll(' ', '')}`,
      },
      { type: 'function_call', call_id: callId, name: 'tool_0', arguments: `{"field_0":"ls ${t}"}` },
      { type: 'function_call_output', call_id: callId, output: prose(700 + t, 150) },
    );
  }
  return out;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function benchCodexSized(): Record<string, unknown> {
  const requests = bodies();
  const ctx = createContext({ defaults: resolveServerOptions(undefined, undefined, 1) });
  const simCpu: number[] = [];
  const baseCpu: number[] = [];
  // warm-up round, then the measured rounds
  for (let round = 0; round < 4; round++) {
    for (const body of requests) {
      const c0 = cpuMs();
      const json: unknown = JSON.parse(body);
      const reply = handleResponsesCreate(ctx, { json, bytes: body.length, options: ctx.defaults });
      if (reply.kind === 'sse') for (const e of reply.events) JSON.stringify(e.data);
      const c1 = cpuMs();
      JSON.stringify(JSON.parse(body));
      const c2 = cpuMs();
      if (round === 0) continue;
      simCpu.push(c1 - c0);
      baseCpu.push(c2 - c1);
    }
  }
  const kb = requests.map((b) => Buffer.byteLength(b) / 1024);
  const sim = median(simCpu);
  const base = median(baseCpu);
  return {
    requests: requests.length,
    body_kb_first: Number((kb[0] ?? 0).toFixed(1)),
    body_kb_median: Number(median(kb).toFixed(1)),
    body_kb_last: Number((kb.at(-1) ?? 0).toFixed(1)),
    cpu_ms_per_request_median: Number(sim.toFixed(3)),
    baseline_parse_stringify_cpu_ms_median: Number(base.toFixed(3)),
    ratio_vs_parse_stringify: base > 0 ? Number((sim / base).toFixed(2)) : null,
  };
}
