import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSuite } from '../../../src/tasks/index.js';
import { expectConfigError, scratchDir } from './helpers.js';

/**
 * A NUL byte in a string that becomes a process argument, an environment entry or a path is
 * refused when the suite is loaded, naming the file and the field, never at run time.
 */

const NUL = 'a\0b';
const NUL_MESSAGE = 'holds a NUL byte';

const baseTask = {
  id: 't',
  instructions: 'Reply done.',
  scorer: { type: 'match', mode: 'contains', expected: 'done' },
  sim: { steps: [], final: 'done' },
};
const baseVariant = { name: 'v', provider: 'sim', model: 'sim-1', instructions: 'Answer.' };
const baseSuite = { name: 's', tasks: ['tasks/*'], variants: [baseVariant], sandbox: { engine: 'local' } };
const commandAgent = { type: 'command', command: ['agent', '{{task}}'] };

async function load(opts: {
  task?: Record<string, unknown>;
  suite?: Record<string, unknown>;
  files?: Record<string, string>;
}) {
  const scratch = await scratchDir({
    'suite.yaml': stringify({ ...baseSuite, ...opts.suite }),
    'tasks/t/task.yaml': stringify({ ...baseTask, ...opts.task }),
    'tasks/t/files/a.txt': 'a',
    ...opts.files,
  });
  return { ...scratch, suiteFile: path.join(scratch.dir, 'suite.yaml') };
}

const taskCases: Array<[field: string, task: Record<string, unknown>]> = [
  ['setup[1]', { setup: ['true', `echo ${NUL}`] }],
  ['files[0].from', { files: [{ from: NUL }] }],
  ['files[0].to', { files: [{ from: 'files', to: NUL }] }],
  ['files[0].path', { files: [{ path: NUL, content: 'x' }] }],
  ['image', { image: NUL }],
  ['image.dockerfile', { image: { dockerfile: NUL } }],
  ['image.context', { image: { dockerfile: 'Dockerfile', context: NUL } }],
  ['dataset.file', { dataset: { file: NUL } }],
  ['scorer.command', { scorer: { type: 'command', command: `test -f ${NUL}` } }],
  ['scorer[1].command', { scorer: [baseTask.scorer, { type: 'command', command: NUL }] }],
  ['scorer.files[0].from', { scorer: { type: 'command', command: 'true', files: [{ from: NUL }] } }],
  [
    'scorer.include_files[0]',
    { scorer: { type: 'model', model: 'sim-1', rubric: 'r', include_files: [NUL] } },
  ],
  ['mcp_servers[0].command[1]', { mcp_servers: [{ name: 'm', command: ['python3', NUL] }] }],
  ['mcp_servers[0].args[0]', { mcp_servers: [{ name: 'm', builtin: 'notes', args: [NUL] }] }],
  ['mcp_servers[0].env.KEY', { mcp_servers: [{ name: 'm', builtin: 'notes', env: { KEY: NUL } }] }],
  [`mcp_servers[0].env.${NUL}`, { mcp_servers: [{ name: 'm', builtin: 'notes', env: { [NUL]: 'v' } }] }],
];

const suiteCases: Array<[field: string, suite: Record<string, unknown>]> = [
  ['tasks[0]', { tasks: [NUL] }],
  ['variants[0].model', { variants: [{ ...baseVariant, model: NUL }] }],
  [
    'variants[0].agent.command[0]',
    { variants: [{ name: 'v', agent: { ...commandAgent, command: [NUL, '{{task}}'] } }] },
  ],
  [
    'variants[0].agent.env.MODE',
    { variants: [{ name: 'v', agent: { ...commandAgent, env: { MODE: NUL } } }] },
  ],
  [
    'variants[0].agent.mounts[0].source',
    { variants: [{ name: 'v', agent: { ...commandAgent, mounts: [{ source: NUL, target: '/opt/a' }] } }] },
  ],
  [
    'variants[0].agent.mounts[0].target',
    { variants: [{ name: 'v', agent: { ...commandAgent, mounts: [{ source: '.', target: `/${NUL}` }] } }] },
  ],
  ['variants[0].agent.args[1]', { variants: [{ name: 'v', agent: { type: 'codex', args: ['-v', NUL] } }] }],
  [
    'variants[0].mcp.servers[0].command[0]',
    { variants: [{ ...baseVariant, mcp: { servers: [{ name: 'm', command: [NUL] }] } }] },
  ],
  ['sandbox.image', { sandbox: { engine: 'docker', image: NUL } }],
  ['sandbox.workdir', { sandbox: { engine: 'local', workdir: `/w${NUL}` } }],
  ['sandbox.engines[0].host', { sandbox: { engines: [{ host: `unix:///run/${NUL}.sock`, max: 1 }] } }],
  [
    'sandbox.engines[0].tls.ca',
    {
      sandbox: {
        engines: [{ host: 'tcp://h:2376', max: 1, tls: { ca: NUL, cert: 'c.pem', key: 'k.pem' } }],
      },
    },
  ],
  ['sandbox.engines[0].identity', { sandbox: { engines: [{ host: 'ssh://u@h', max: 1, identity: NUL }] } }],
];

describe('a NUL byte where the OS takes a string is refused at load', () => {
  it.each(taskCases)('task.yaml %s', async (field, task) => {
    const { suiteFile, dir, cleanup } = await load({ task });
    try {
      const error = await expectConfigError(loadSuite(suiteFile));
      expect(error.file).toBe(path.join(dir, 'tasks/t/task.yaml'));
      expect(error.field).toBe(field);
      expect(error.detail).toContain(NUL_MESSAGE);
      expect(error.line).toBeGreaterThan(0);
    } finally {
      await cleanup();
    }
  });

  it.each(suiteCases)('suite.yaml %s', async (field, suite) => {
    const { suiteFile, cleanup } = await load({ suite });
    try {
      const error = await expectConfigError(loadSuite(suiteFile));
      expect(error.file).toBe(suiteFile);
      expect(error.field).toBe(field);
      expect(error.detail).toContain(NUL_MESSAGE);
    } finally {
      await cleanup();
    }
  });

  it('refuses a NUL percent-encoded in a unix engine socket path', async () => {
    const host = 'unix:///run/a%00b.sock';
    const { suiteFile, cleanup } = await load({ suite: { sandbox: { engines: [{ host, max: 1 }] } } });
    try {
      const error = await expectConfigError(loadSuite(suiteFile));
      expect(error.field).toBe('sandbox.engines[0].host');
      expect(error.detail).toContain('NUL byte (%00)');
    } finally {
      await cleanup();
    }
  });

  it('names the dataset row and column whose value puts a NUL into a command', async () => {
    const { suiteFile, dir, cleanup } = await load({
      task: { setup: ['echo {{word}}'], dataset: { file: 'rows.csv' } },
      files: { 'tasks/t/rows.csv': `word\nfine\n"x${'\0'}y"\n` },
    });
    try {
      const error = await expectConfigError(loadSuite(suiteFile));
      expect(error.file).toBe(path.join(dir, 'tasks/t/rows.csv'));
      expect(error.line).toBe(3);
      expect(error.column).toBe('word');
      expect(error.detail).toMatch(/^setup\[0\] in .*tasks\/t\/task\.yaml: holds a NUL byte/);
    } finally {
      await cleanup();
    }
  });

  it('refuses task text with a NUL when a command agent takes the task as an argument, not on stdin', async () => {
    const task = { instructions: `Do ${NUL}.` };
    const asArgument = await load({ task, suite: { variants: [{ name: 'v', agent: commandAgent }] } });
    const onStdin = await load({
      task,
      suite: { variants: [{ name: 'v', agent: { ...commandAgent, command: ['agent'], task: 'stdin' } }] },
    });
    try {
      const error = await expectConfigError(loadSuite(asArgument.suiteFile));
      expect(error.file).toBe(path.join(asArgument.dir, 'tasks/t/task.yaml'));
      expect(error.field).toBe('instructions');
      expect(error.detail).toContain('variant "v" passes the task as a command argument');
      await expect(loadSuite(onStdin.suiteFile)).resolves.toBeDefined();
    } finally {
      await asArgument.cleanup();
      await onStdin.cleanup();
    }
  });

  it('keeps a NUL where it only travels as text: instructions, inline content, a sim tool call', async () => {
    const { suiteFile, cleanup } = await load({
      task: {
        instructions: `Find ${NUL}.`,
        files: [{ path: 'bin.dat', content: NUL }],
        sim: { steps: [{ shell: `printf ${NUL}` }], final: NUL },
      },
    });
    try {
      const suite = await loadSuite(suiteFile);
      expect(suite.tasks[0]?.spec.instructions).toBe(`Find ${NUL}.`);
    } finally {
      await cleanup();
    }
  });
});
