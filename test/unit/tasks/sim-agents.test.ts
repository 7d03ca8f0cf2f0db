import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderResponsesRequest } from '../../../src/sim/responses/render.js';
import { planTurn } from '../../../src/sim/script/plan.js';
import { SimScriptRegistry } from '../../../src/sim/script/registry.js';
import { loadTask } from '../../../src/tasks/index.js';
import { expectConfigError, scratchDir } from './helpers.js';

/** A task whose sim script spawns a Codex sub-agent, with the sub-agent's own script in `sim.agents`. */
const TASK = `id: delegate
instructions: Have a helper count to {{n}}.
dataset:
  file: rows.csv
  id_column: name
scorer: { type: command, command: "true" }
sim:
  steps:
    - tool: spawn_agent
      args: { message: "Count to {{n}}." }
    - tool: wait_agent
      args: { targets: ["{{output.agent_id}}"], timeout_ms: 60000 }
  final: The helper counted to {{n}}.
  agents:
    "Count to {{n}}.":
      steps:
        - shell: seq {{n}}
      final: Counted to {{n}}.
`;

describe('sim.agents: the scripts of the sub-agents a task spawns', () => {
  it('a dataset renders their task texts and scripts; {{output.<field>}} is left for the sim', async () => {
    const { dir, cleanup } = await scratchDir({ 'task.yaml': TASK, 'rows.csv': 'name,n\nthree,3\nfive,5\n' });
    try {
      const [three, five] = await loadTask(path.join(dir, 'task.yaml'));
      expect(three!.spec.sim?.steps[1]).toMatchObject({
        args: { targets: ['{{output.agent_id}}'], timeout_ms: 60000 },
      });
      expect(five!.spec.sim?.agents).toEqual({
        'Count to 5.': {
          steps: [{ shell: 'seq 5' }],
          final: 'Counted to 5.',
          reasoning_tokens: 0,
        },
      });

      // registered with the task: the sub-agent's conversation runs its own script
      const registry = new SimScriptRegistry();
      registry.register(five!.spec.instructions, five!.spec.sim!);
      const sub = renderResponsesRequest([], null, [
        { type: 'message', role: 'user', content: 'Count to 5.' },
      ]);
      expect(planTurn(sub.view, registry, 0).plan).toMatchObject({
        kind: 'calls',
        calls: [{ name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', 'seq 5'] }) }],
      });
      const done = renderResponsesRequest([], null, [
        { type: 'message', role: 'user', content: 'Count to 5.' },
        { type: 'function_call', call_id: 'call_s0_0_a', name: 'shell', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_s0_0_a', output: '1\n2\n3\n4\n5' },
      ]);
      expect(planTurn(done.view, registry, 0).plan).toMatchObject({ kind: 'message', text: 'Counted to 5.' });
    } finally {
      await cleanup();
    }
  });

  it('a sub-agent script is checked like any script, with its field path', async () => {
    const bad = TASK.replace('final: Counted to {{n}}.', 'final: ""');
    const { dir, cleanup } = await scratchDir({ 'task.yaml': bad, 'rows.csv': 'name,n\nthree,3\n' });
    try {
      const error = await expectConfigError(loadTask(path.join(dir, 'task.yaml')));
      expect(error.message).toContain('sim.agents.Count to {{n}}..final');
    } finally {
      await cleanup();
    }
  });
});
