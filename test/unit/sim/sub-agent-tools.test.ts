import { describe, expect, test } from 'vitest';
import { declaredTools } from '../../../src/sim/responses/declared-tools.js';
import { renderResponsesRequest } from '../../../src/sim/responses/render.js';
import type { InputItem, ToolParam } from '../../../src/sim/responses/schema.js';
import { resolveOutputRefs } from '../../../src/sim/script/output-refs.js';
import { planTurn } from '../../../src/sim/script/plan.js';
import { SimScriptRegistry } from '../../../src/sim/script/registry.js';

/** Codex 0.171's sub-agent tools, as it declares them on a model it has no metadata for. */
const MULTI_AGENT: ToolParam = {
  type: 'namespace',
  name: 'multi_agent_v1',
  description: 'Tools for spawning and managing sub-agents.',
  tools: [
    { type: 'function', name: 'spawn_agent', parameters: {} },
    { type: 'function', name: 'wait_agent', parameters: {} },
  ],
};
const EXEC: ToolParam = { type: 'function', name: 'exec_command' };
/** Codex 0.171 on a model of its catalogue: the sub-agent tools are deferred behind this. */
const TOOL_SEARCH: ToolParam = { type: 'tool_search', execution: 'client', description: 'find tools' };

describe('the tools a turn may call', () => {
  test('a tool inside a namespace tool is found with its namespace; top-level tools have none', () => {
    const declared = declaredTools([EXEC, MULTI_AGENT]);
    expect(declared.get('spawn_agent')).toEqual({ type: 'function', namespace: 'multi_agent_v1' });
    expect(declared.get('wait_agent')).toEqual({ type: 'function', namespace: 'multi_agent_v1' });
    expect(declared.get('exec_command')).toEqual({ type: 'function', namespace: null });
    // the namespace itself is not a tool to call
    expect(declared.has('multi_agent_v1')).toBe(false);
  });

  test('a top-level tool wins over a namespaced one of the same name, whatever the order', () => {
    const shadow: ToolParam = { type: 'custom', name: 'spawn_agent' };
    expect(declaredTools([MULTI_AGENT, shadow]).get('spawn_agent')).toEqual({
      type: 'custom',
      namespace: null,
    });
  });

  test('a client tool search is callable as `tool_search`; a hosted one is not', () => {
    expect(declaredTools([TOOL_SEARCH]).get('tool_search')).toEqual({ type: 'tool_search', namespace: null });
    expect(declaredTools([{ type: 'tool_search', execution: 'server' }]).has('tool_search')).toBe(false);
  });

  test('tools a client tool search loaded (tool_search_output) are callable, with their namespace', () => {
    const items: InputItem[] = [
      { type: 'message', role: 'user', content: 'go' },
      { type: 'tool_search_call', call_id: 'c1', execution: 'client', arguments: { query: 'agents' } },
      { type: 'tool_search_output', call_id: 'c1', execution: 'client', tools: [MULTI_AGENT] },
    ];
    expect(declaredTools([EXEC, TOOL_SEARCH]).has('spawn_agent')).toBe(false);
    expect(declaredTools([EXEC, TOOL_SEARCH], items).get('spawn_agent')).toEqual({
      type: 'function',
      namespace: 'multi_agent_v1',
    });
  });
});

describe('{{output.<field>}} in a step', () => {
  const outputs = [
    { index: 0, fields: { agent_id: 'first', nickname: 'Zeno' } },
    { index: 1, fields: { status: { first: { completed: 'ok' } } } },
    { index: 2, fields: { agent_id: 'second', count: 3 } },
  ];

  test('takes the field from the most recent JSON result that has it', () => {
    expect(resolveOutputRefs({ targets: ['{{output.agent_id}}'] }, outputs)).toEqual({ targets: ['second'] });
    expect(resolveOutputRefs('{{output.nickname}}', outputs)).toBe('Zeno');
  });

  test('a whole-string reference keeps the value type; inside a string it becomes text', () => {
    expect(resolveOutputRefs({ n: '{{output.count}}' }, outputs)).toEqual({ n: 3 });
    expect(resolveOutputRefs('agent {{output.agent_id}} has {{output.count}}', outputs)).toBe(
      'agent second has 3',
    );
    expect(resolveOutputRefs('{{output.status}}', outputs)).toEqual({ first: { completed: 'ok' } });
  });

  test('a reference no result answers is left as written', () => {
    expect(resolveOutputRefs({ id: '{{output.missing}}', n: 1 }, outputs)).toEqual({
      id: '{{output.missing}}',
      n: 1,
    });
    expect(resolveOutputRefs(['{{output.agent_id}}'], [])).toEqual(['{{output.agent_id}}']);
  });
});

describe('a script that spawns a sub-agent and waits for it (Codex 0.171)', () => {
  const registry = new SimScriptRegistry();
  registry.register('Delegate the count.', {
    steps: [
      { tool: 'spawn_agent', args: { message: 'Count to three.' } },
      { tool: 'wait_agent', args: { targets: ['{{output.agent_id}}'], timeout_ms: 60_000 } },
    ],
    final: 'The helper counted.',
    reasoning_tokens: 0,
  });
  registry.register('Count to three.', {
    steps: [{ tool: 'exec_command', args: { cmd: 'echo 1 2 3' } }],
    final: '1 2 3',
    reasoning_tokens: 0,
  });
  const task: InputItem = { type: 'message', role: 'user', content: 'Delegate the count.' };

  test('wait_agent names the agent id Codex answered spawn_agent with', () => {
    const afterSpawn: InputItem[] = [
      task,
      {
        type: 'function_call',
        call_id: 'call_s0_0_x',
        name: 'spawn_agent',
        namespace: 'multi_agent_v1',
        arguments: '{"message":"Count to three."}',
      },
      {
        type: 'function_call_output',
        call_id: 'call_s0_0_x',
        output: '{"agent_id":"01a23386-8885-7ec2-addb-1b59687af9ee","nickname":"Popper"}',
      },
    ];
    const { view } = renderResponsesRequest([MULTI_AGENT], null, afterSpawn);
    const plan = planTurn(view, registry, 1).plan;
    expect(plan).toMatchObject({ kind: 'calls', step: 1, calls: [{ name: 'wait_agent' }] });
    if (plan.kind !== 'calls') throw new Error('calls expected');
    expect(JSON.parse(plan.calls[0]!.arguments)).toEqual({
      targets: ['01a23386-8885-7ec2-addb-1b59687af9ee'],
      timeout_ms: 60_000,
    });
  });

  test("the sub-agent's own conversation follows its own task's script, a forked one too", () => {
    const own = renderResponsesRequest([EXEC], null, [
      { type: 'message', role: 'user', content: 'Count to three.' },
    ]);
    expect(planTurn(own.view, registry, 1).plan).toMatchObject({ calls: [{ name: 'exec_command' }] });
    // fork_context: the parent's task comes first in its history, the sub-agent's task last
    const forked = renderResponsesRequest([EXEC], null, [
      task,
      { type: 'message', role: 'user', content: 'Count to three.' },
    ]);
    expect(planTurn(forked.view, registry, 1).plan).toMatchObject({ calls: [{ name: 'exec_command' }] });
  });

  test('a tool search call is a step: its call id moves the script on', () => {
    const searching = new SimScriptRegistry();
    searching.register('Find the agents.', {
      steps: [
        { tool: 'tool_search', args: { query: 'sub-agents' } },
        { tool: 'spawn_agent', args: {} },
      ],
      final: 'done',
      reasoning_tokens: 0,
    });
    const { view } = renderResponsesRequest([TOOL_SEARCH], null, [
      { type: 'message', role: 'user', content: 'Find the agents.' },
      { type: 'tool_search_call', call_id: 'call_s0_0_y', execution: 'client', arguments: {} },
      { type: 'tool_search_output', call_id: 'call_s0_0_y', execution: 'client', tools: [MULTI_AGENT] },
    ]);
    expect(planTurn(view, searching, 1).plan).toMatchObject({ step: 1, calls: [{ name: 'spawn_agent' }] });
  });
});
