import { randomUUID } from 'node:crypto';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scorer } from '../../../src/config/index.js';
import { DockerSandboxProvider, type Sandbox } from '../../../src/sandbox/index.js';
import { scoreSample } from '../../../src/scoring/index.js';
import { dockerTestsEnabled } from '../sandbox/docker-engine.js';

const docker = new Dockerode();
const enabled = await dockerTestsEnabled(docker);
const provider = new DockerSandboxProvider({ docker });
const runId = `grader-${randomUUID().slice(0, 8)}`;

const TEST = [
  'import unittest',
  'from calc import add',
  'class AddTest(unittest.TestCase):',
  '    def test_add(self):',
  '        self.assertEqual(add(2, 3), 5)',
  '',
].join('\n');
const FAKE_TEST = 'import unittest\nclass T(unittest.TestCase):\n    def test_ok(self):\n        pass\n';
const COMMAND = 'python3 -m unittest -q test_calc';
const scorer: Scorer = {
  type: 'command',
  command: COMMAND,
  timeout_s: 30,
  files: [{ path: 'test_calc.py', content: TEST }],
};
const graderFiles = [{ path: 'test_calc.py', content: TEST }];

/** The command scorer's verdict on a sandbox, as the runner asks for it. */
const score = (box: Sandbox) =>
  scoreSample(scorer, { sandbox: box, finalAnswer: null, taskText: 'fix add()', graderFiles });
const sh = (script: string) => ['bash', '--noprofile', '--norc', '-c', script];
const run = async (box: Sandbox, script: string) => {
  const r = await box.exec(sh(script), { timeoutMs: 20_000 });
  expect(r.exitCode, `${script}\n${r.stderr}`).toBe(0);
  return r;
};

/**
 * Each way an agent can shape its scorer, alone: it makes the old way of scoring (a login shell as
 * the agent, the grader's file put back beside whatever the agent left) pass an unsolved task,
 * and the command scorer still fails it, having run the real test.
 */
describe.skipIf(!enabled)('a command scorer runs in a context the agent could not shape', () => {
  let image = '';
  beforeAll(async () => {
    image = await provider.ensureImage({ kind: 'base' });
  });
  afterAll(async () => {
    await provider.removeByLabels({ 'turnbench.run': runId });
  });

  const sandbox = () =>
    provider.create({
      image,
      workdir: '/workspace',
      files: [
        { path: 'calc.py', content: 'def add(a, b):\n    return 0\n' },
        { path: 'test_calc.py', content: TEST },
      ],
      labels: { 'turnbench.run': runId },
      limits: { memoryMb: 256, cpus: 1, pids: 128 },
      network: false,
    });

  const attacks: Array<[string, string, string]> = [
    // [name, what the agent does, how the old scorer ran]
    ['`exit 0` in ~/.bash_profile', `printf 'exit 0\\n' >> ~/.bash_profile`, `bash -lc '${COMMAND}'`],
    [
      'a fake python3 put first on PATH by ~/.profile',
      `mkdir -p ~/bin && printf '#!/bin/sh\\nexit 0\\n' > ~/bin/python3 && chmod +x ~/bin/python3 && printf 'PATH="$HOME/bin:$PATH"\\n' > ~/.profile`,
      `bash -lc '${COMMAND}'`,
    ],
    [
      'a usercustomize in HOME that ends every python',
      `d=$(python3 -c 'import site; print(site.getusersitepackages())') && mkdir -p "$d" && printf 'import os\\nos._exit(0)\\n' > "$d/usercustomize.py"`,
      `bash -lc '${COMMAND}'`,
    ],
    [
      'a process left running that puts a pass-always test back',
      `printf '${FAKE_TEST.replaceAll('\n', '\\n')}' > /tmp/fake.py && (setsid sh -c 'while :; do cp /tmp/fake.py test_calc.py; sleep 0.05; done' >/dev/null 2>&1 < /dev/null &) && sleep 0.5`,
      `sleep 0.5; bash -lc '${COMMAND}'`,
    ],
    [
      'an unchecked .pyc standing in for the test',
      `printf '${FAKE_TEST.replaceAll('\n', '\\n')}' > /tmp/fake.py && python3 -c "import py_compile, importlib.util as u; py_compile.compile('/tmp/fake.py', cfile=u.cache_from_source('test_calc.py'), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)"`,
      `bash -lc '${COMMAND}'`,
    ],
  ];

  it.each(attacks)('%s', async (_, attack, oldScorer) => {
    const box = await sandbox();
    try {
      await run(box, attack);
      // The old way: the grader's file written back as the agent, then a login shell as the agent.
      await box.writeFile('test_calc.py', TEST);
      const old = await box.exec(['sh', '-c', oldScorer], { timeoutMs: 20_000 });
      expect(old.exitCode, `the attack must beat the old scorer: ${old.stdout}${old.stderr}`).toBe(0);

      const result = await score(box);
      expect(result.passed, result.detail).toBe(false);
      expect(result.detail).toContain('AssertionError: 0 != 5');
    } finally {
      await box.destroy();
    }
  });

  it('scores a fix by its source, not by bytecode that still looks current', async () => {
    const box = await sandbox();
    try {
      // The agent runs the code once (bytecode written), then fixes it at the same size and, as
      // happens within one second, the same mtime: __pycache__ still looks current.
      await run(
        box,
        [
          `printf 'def add(a, b):\\n    return a - b\\n' > calc.py`,
          `python3 -c 'import calc'`,
          'touch -r calc.py /tmp/ref',
          `printf 'def add(a, b):\\n    return a + b\\n' > calc.py`,
          'touch -r /tmp/ref calc.py',
        ].join(' && '),
      );
      const agentView = await box.exec(sh(COMMAND), { timeoutMs: 20_000 });
      expect(agentView.exitCode, 'the stale bytecode must be what a plain run sees').not.toBe(0);

      const result = await score(box);
      expect(result.passed, result.detail).toBe(true);
    } finally {
      await box.destroy();
    }
  });

  it('still scores (a real result, not an error) a sandbox whose workspace the agent locked', async () => {
    const box = await sandbox();
    try {
      await run(box, 'chmod 000 /workspace');
      const result = await score(box);
      expect(result.passed, result.detail).toBe(false);
      expect(result.detail).toContain('AssertionError: 0 != 5');
    } finally {
      await box.destroy();
    }
  });

  it('passes an honest solution: the grader context takes nothing from a task done right', async () => {
    const box = await sandbox();
    try {
      await run(box, "printf 'def add(a, b):\\n    return a + b\\n' > calc.py");
      const result = await score(box);
      expect(result, result.detail).toMatchObject({ passed: true, score: 1 });
      // HOME is a fresh folder, PATH has no folder the sandbox user can write
      const env = await scoreSample(
        { type: 'command', command: 'echo "$HOME $PATH"; ls -A "$HOME" | wc -l', timeout_s: 10, files: [] },
        { sandbox: box, finalAnswer: null, taskText: 'fix add()', graderFiles: [] },
      );
      expect(env.detail).toMatch(
        /^exit 0: \/tmp\/\.grader-home\.\w+ \/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin\n0$/,
      );
    } finally {
      await box.destroy();
    }
  });
});
