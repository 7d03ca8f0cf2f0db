import type { ResponseOutputItem } from 'openai/resources/responses/responses';
import { malform } from '../behaviour/faults.js';
import { encodeCompaction } from '../compaction/codec.js';
import type { ModelTraits } from '../models.js';
import { encodeReasoning } from '../reasoning/codec.js';
import type { Plan, PlanResult } from '../script/plan.js';
import type { TokenCache } from '../tokens/token-cache.js';
import {
  compactionItem,
  customToolCallItem,
  functionCallItem,
  messageItem,
  reasoningItem,
  toolSearchCallItem,
} from './build.js';
import type { DeclaredTool } from './declared-tools.js';
import { formatAnswer } from './json-answer.js';
import type { ResponsesCreateBody } from './schema.js';

export interface OutputInput {
  responseId: string;
  body: ResponsesCreateBody;
  turn: PlanResult;
  traits: ModelTraits;
  /** This turn compacts (a `compaction_trigger`, or `context_management` past its threshold). */
  compaction: 'none' | 'only' | 'before_output';
  malformedArgs: boolean;
  tokens: TokenCache;
  /** The tools this turn may call (`declaredTools`: the request's, and those a tool search loaded). */
  declared: ReadonlyMap<string, DeclaredTool>;
}

export interface BuiltOutput {
  output: ResponseOutputItem[];
  outputTokens: number;
  reasoningTokens: number;
}

function reasoningSummary(plan: Plan, compactionOnly: boolean): string {
  if (compactionOnly) return '**Compacting the context**\n\nCondensing the conversation so far.';
  if (plan.kind === 'calls') {
    const names = [...new Set(plan.calls.map((c) => c.name))].join(', ');
    return `**Planning the next step**\n\nNext I call ${names}.`;
  }
  if (plan.summary) return '**Summarising the work**\n\nWriting a handoff summary.';
  return '**Answering**\n\nI have what I need to give the answer.';
}

/**
 * The output items of one turn, in the order a real model sends them: its reasoning (on models
 * that reason, with a summary when asked for and `encrypted_content` when
 * `include: ["reasoning.encrypted_content"]`), a compaction item, then a message or the step's
 * tool calls — each call in the type the request declared the tool with (`custom` tools get a
 * `custom_tool_call` with freeform input, a client `tool_search` a `tool_search_call` with the
 * step's args as its arguments; any other or undeclared tool a `function_call`), naming the
 * namespace of a tool declared inside a `namespace` tool.
 */
export function buildOutput(o: OutputInput): BuiltOutput {
  const { body, turn, tokens } = o;
  const output: ResponseOutputItem[] = [];
  const effortNone = body.reasoning?.effort === 'none';
  const reasoningTokens = effortNone ? 0 : turn.reasoningTokens;
  let outputTokens = reasoningTokens;
  const compactionOnly = o.compaction === 'only';

  if (o.traits.reasons && reasoningTokens > 0 && !compactionOnly) {
    const summary = body.reasoning?.summary ? reasoningSummary(turn.plan, compactionOnly) : null;
    const encrypted = body.include?.includes('reasoning.encrypted_content')
      ? encodeReasoning({ v: 1, tokens: reasoningTokens, response: o.responseId })
      : null;
    output.push(reasoningItem(summary, encrypted));
  }
  if (o.compaction !== 'none') {
    const summary = turn.summarise();
    const state = encodeCompaction({
      v: 1,
      kind: 'auto',
      step: turn.progress,
      ...(turn.next ? { next: [turn.next.step, turn.next.call] as [number, number] } : {}),
      task: turn.taskHash,
      summary,
    });
    output.push(compactionItem(state));
    outputTokens += tokens.count(summary);
  }
  if (compactionOnly) return { output, outputTokens, reasoningTokens };

  const plan = turn.plan;
  if (plan.kind === 'message') {
    const text = plan.summary || plan.verbatim ? plan.text : formatAnswer(body.text?.format, plan.text);
    output.push(messageItem(text, 'final_answer'));
    outputTokens += tokens.count(text);
    return { output, outputTokens, reasoningTokens };
  }
  if (plan.say) {
    output.push(messageItem(plan.say, 'commentary'));
    outputTokens += tokens.count(plan.say);
  }
  plan.calls.forEach((call, k) => {
    const tool = o.declared.get(call.name);
    if (tool?.type === 'tool_search') {
      output.push(toolSearchCallItem(call.arguments, call.callId));
      outputTokens += tokens.count(call.arguments);
      return;
    }
    const namespace = tool?.namespace ?? null;
    const nameTokens = tokens.count(call.name) + (namespace === null ? 0 : tokens.count(namespace));
    if (tool?.type === 'custom') {
      output.push(customToolCallItem(call.name, call.input, call.callId, namespace));
      outputTokens += nameTokens + tokens.count(call.input);
      return;
    }
    const args = o.malformedArgs && k === 0 ? malform(call.arguments) : call.arguments;
    output.push(functionCallItem(call.name, args, call.callId, namespace));
    outputTokens += nameTokens + tokens.count(args);
  });
  return { output, outputTokens, reasoningTokens };
}
