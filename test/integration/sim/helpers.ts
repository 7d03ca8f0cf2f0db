import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import OpenAI from 'openai';
import type {
  ResponseInputItem,
  ResponseOutputItem,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
import { type SimServer, type SimServerOptions, startSimServer } from '../../../src/sim/index.js';

export async function startSim(opts: SimServerOptions = {}): Promise<{ sim: SimServer; client: OpenAI }> {
  const sim = await startSimServer(opts);
  const client = new OpenAI({ baseURL: sim.url, apiKey: 'sim-key', maxRetries: 0 });
  return { sim, client };
}

/** Text of exactly `n` o200k tokens (" w" repeated is one token per repetition). */
export function textOfTokens(n: number): string {
  const text = 'Z'.concat(' w'.repeat(Math.max(0, n - 1)));
  const actual = countTokens(text);
  if (actual !== n) throw new Error(`filler produced ${actual} tokens, wanted ${n}`);
  return text;
}

/** Varied text of roughly n tokens (so different prompts do not share a prefix by accident). */
export function variedText(seed: string, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(`${seed}${(i * 7919) % 1000}`);
  return out.join(' ');
}

/** Append a response's output to the history, answering every function call with `answer`. */
export function appendTurn(
  history: ResponseInputItem[],
  output: ResponseOutputItem[],
  answer: (name: string) => string,
) {
  for (const item of output) {
    history.push(item as ResponseInputItem);
    if (item.type === 'function_call') {
      history.push({ type: 'function_call_output', call_id: item.call_id, output: answer(item.name) });
    }
  }
}

export async function collect(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}
