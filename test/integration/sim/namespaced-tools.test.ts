import type {
  ResponseFunctionToolCall,
  ResponseInputItem,
  ResponseToolSearchCall,
  Tool,
} from 'openai/resources/responses/responses';
import { afterEach, describe, expect, test } from 'vitest';
import type { SimServer } from '../../../src/sim/index.js';
import { collect, startSim } from './helpers.js';

/**
 * Namespaced tools and client tool search, the way Codex 0.171 offers its sub-agent tools, through
 * the real `openai` SDK over HTTP: a call to a tool declared inside a `namespace` tool names its
 * namespace (Codex refuses it otherwise), a client `tool_search` step is a `tool_search_call`, the
 * tools its `tool_search_output` loaded are callable, and `{{output.agent_id}}` carries the id the
 * client answered `spawn_agent` with into the next step.
 */

const TASK = 'Hand the count to a helper.';
const AGENT_ID = '01a23386-8885-7ec2-addb-1b59687af9ee';

const MULTI_AGENT = {
  type: 'namespace',
  name: 'multi_agent_v1',
  description: 'Tools for spawning and managing sub-agents.',
  tools: [
    { type: 'function', name: 'spawn_agent', parameters: { type: 'object', properties: {} }, strict: false },
    { type: 'function', name: 'wait_agent', parameters: { type: 'object', properties: {} }, strict: false },
  ],
} as unknown as Tool;
const EXEC = {
  type: 'function',
  name: 'exec_command',
  parameters: { type: 'object', properties: {} },
  strict: false,
} as Tool;
const TOOL_SEARCH = { type: 'tool_search', execution: 'client', description: 'find deferred tools' } as Tool;

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function withScript(steps: Array<{ tool: string; args: Record<string, unknown> }>) {
  const s = await startSim({ seed: 3 });
  sim = s.sim;
  s.sim.scripts.register(TASK, { steps, final: 'The helper counted to three.', reasoning_tokens: 0 });
  return s.client;
}

const SPAWN_THEN_WAIT = [
  { tool: 'spawn_agent', args: { message: 'Count to three.' } },
  { tool: 'wait_agent', args: { targets: ['{{output.agent_id}}'], timeout_ms: 60_000 } },
];

describe('tools in a namespace', () => {
  test('a call names its namespace, streamed and in the final response; the next step reads the agent id', async () => {
    const client = await withScript(SPAWN_THEN_WAIT);
    const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const events = await collect(
      await client.responses.create({
        model: 'sim-1',
        input: history,
        tools: [EXEC, MULTI_AGENT],
        stream: true,
      }),
    );
    const added = events.find((e) => e.type === 'response.output_item.added');
    expect(added?.type === 'response.output_item.added' && added.item).toMatchObject({
      type: 'function_call',
      name: 'spawn_agent',
      namespace: 'multi_agent_v1',
    });
    const done = events.find((e) => e.type === 'response.completed');
    const spawn = done?.type === 'response.completed' ? done.response.output[0] : undefined;
    expect(spawn).toMatchObject({ type: 'function_call', name: 'spawn_agent', namespace: 'multi_agent_v1' });
    const call = spawn as ResponseFunctionToolCall;
    expect(JSON.parse(call.arguments)).toEqual({ message: 'Count to three.' });

    history.push(call, {
      type: 'function_call_output',
      call_id: call.call_id,
      output: JSON.stringify({ agent_id: AGENT_ID, nickname: 'Popper' }),
    });
    const wait = await client.responses.create({
      model: 'sim-1',
      input: history,
      tools: [EXEC, MULTI_AGENT],
    });
    const waitCall = wait.output[0] as ResponseFunctionToolCall;
    expect(waitCall).toMatchObject({
      type: 'function_call',
      name: 'wait_agent',
      namespace: 'multi_agent_v1',
    });
    expect(JSON.parse(waitCall.arguments)).toEqual({ targets: [AGENT_ID], timeout_ms: 60_000 });

    history.push(waitCall, {
      type: 'function_call_output',
      call_id: waitCall.call_id,
      output: JSON.stringify({ status: { [AGENT_ID]: { completed: '1 2 3' } }, timed_out: false }),
    });
    const final = await client.responses.create({
      model: 'sim-1',
      input: history,
      tools: [EXEC, MULTI_AGENT],
    });
    expect(final.output_text).toBe('The helper counted to three.');
  });

  test('the same step with the tool undeclared is a plain function_call (no namespace to name)', async () => {
    const client = await withScript(SPAWN_THEN_WAIT);
    const r = await client.responses.create({ model: 'sim-1', input: TASK, tools: [EXEC] });
    const call = r.output[0] as ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: 'function_call', name: 'spawn_agent' });
    expect(call.namespace).toBeUndefined();
  });
});

describe('client tool search', () => {
  test('a tool_search step is a tool_search_call; the tools its output loaded are called with their namespace', async () => {
    const client = await withScript([
      { tool: 'tool_search', args: { query: 'sub-agents', limit: 8 } },
      ...SPAWN_THEN_WAIT,
    ]);
    const history: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const search = await client.responses.create({
      model: 'sim-1',
      input: history,
      tools: [EXEC, TOOL_SEARCH],
    });
    const call = search.output[0] as ResponseToolSearchCall;
    expect(call).toMatchObject({
      type: 'tool_search_call',
      execution: 'client',
      status: 'completed',
      arguments: { query: 'sub-agents', limit: 8 },
    });
    expect(call.call_id).toMatch(/^call_s0_0_/);

    history.push(
      call as ResponseInputItem,
      {
        type: 'tool_search_output',
        call_id: call.call_id,
        execution: 'client',
        tools: [MULTI_AGENT],
      } as ResponseInputItem,
    );
    const spawn = await client.responses.create({
      model: 'sim-1',
      input: history,
      tools: [EXEC, TOOL_SEARCH],
    });
    expect(spawn.output[0]).toMatchObject({
      type: 'function_call',
      name: 'spawn_agent',
      namespace: 'multi_agent_v1',
    });
  });
});
