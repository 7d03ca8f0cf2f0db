import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SampleRecordSchema } from '../../../src/telemetry/index.js';
import { assertBuilt, readJsonl, runCli, turnbenchContainers } from '../cli/helpers.js';

/**
 * Finding 13 of issue 12, the parts about what a task author's files can do: reach outside the
 * task folder, put the grader in the sandbox, read /etc/passwd, bomb the YAML parser, smuggle
 * bytes past the decoder, hide a broken regex, name an image that is not there.
 */

interface TaskDir {
  dir: string;
  suite: string;
  task: string;
}

const SUITE = 'name: inputs\ntasks: [t]\nvariants:\n  - name: v\n    instructions: be brief\n';

function taskDir(taskYaml: string | Buffer, extra: (dir: string) => void = () => {}): TaskDir {
  const root = mkdtempSync(join(tmpdir(), 'tb-inputs-'));
  mkdirSync(join(root, 't'));
  const task = join(root, 't/task.yaml');
  writeFileSync(task, taskYaml);
  writeFileSync(join(root, 'suite.yaml'), SUITE);
  extra(join(root, 't'));
  return { dir: join(root, 't'), suite: join(root, 'suite.yaml'), task };
}

async function refused(suite: string, message: RegExp): Promise<string> {
  const resultsDir = mkdtempSync(join(tmpdir(), 'tb-inputs-res-'));
  const runId = `inputs-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const r = await runCli(['run', suite, '--run-id', runId, '--results-dir', resultsDir], {
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(existsSync(join(resultsDir, runId))).toBe(false);
  expect(await turnbenchContainers(runId)).toEqual([]);
  return r.stderr;
}

const MATCH = 'scorer: { type: match, expected: done }\nsim: { final: done }\n';

describe('what a task folder may reach (issue 12, finding 13)', () => {
  beforeAll(() => assertBuilt());

  it('a Docker build context outside the task folder, as written or through a link', async () => {
    const written = taskDir(
      `id: t\ninstructions: x\nimage: { dockerfile: Dockerfile, context: ../.. }\n${MATCH}`,
      (d) => writeFileSync(join(d, 'Dockerfile'), 'FROM turnbench/base:latest\nCOPY . /ctx\n'),
    );
    await refused(
      written.suite,
      /t\/task\.yaml:\d+: image\.context: "\.\.\/\.\." is outside the task folder$/,
    );
    const linked = taskDir(
      `id: t\ninstructions: x\nimage: { dockerfile: Dockerfile, context: ctx }\n${MATCH}`,
      (d) => {
        writeFileSync(join(d, 'Dockerfile'), 'FROM turnbench/base:latest\n');
        symlinkSync('/etc', join(d, 'ctx'));
      },
    );
    await refused(linked.suite, /image\.context: "ctx" links outside the task folder$/);
    const dockerfile = taskDir(`id: t\ninstructions: x\nimage: { dockerfile: ../../Dockerfile }\n${MATCH}`);
    await refused(
      dockerfile.suite,
      /image\.dockerfile: "\.\.\/\.\.\/Dockerfile" is outside the task folder$/,
    );
  });

  it('the grader files never reach the sandbox: task.yaml and the dataset, named or linked', async () => {
    const named = taskDir(`id: t\ninstructions: x\nfiles: [{ from: task.yaml }]\n${MATCH}`);
    await refused(named.suite, /files\[0\]\.from: "task\.yaml" is task\.yaml, which grades the task/);
    const symlinked = taskDir(`id: t\ninstructions: x\nfiles: [{ from: files }]\n${MATCH}`, (d) => {
      mkdirSync(join(d, 'files'));
      writeFileSync(join(d, 'files/data.txt'), 'data');
      symlinkSync('../task.yaml', join(d, 'files/notes.yaml'));
    });
    await refused(
      symlinked.suite,
      /files\[0\]\.from: "notes\.yaml" in "files" is a link to task\.yaml, which grades the task/,
    );
    const hardlinked = taskDir(`id: t\ninstructions: x\nfiles: [{ from: files }]\n${MATCH}`, (d) => {
      mkdirSync(join(d, 'files'));
      linkSync(join(d, 'task.yaml'), join(d, 'files/copy.txt'));
    });
    await refused(hardlinked.suite, /"copy\.txt" in "files" is a link to task\.yaml/);
    const dataset = taskDir(
      `id: t\ninstructions: "{{q}}"\ndataset: { file: rows.csv }\nfiles: [{ from: files }]\n${MATCH}`,
      (d) => {
        writeFileSync(join(d, 'rows.csv'), 'q\nwhat\n');
        mkdirSync(join(d, 'files'));
        symlinkSync('../rows.csv', join(d, 'files/rows.csv'));
      },
    );
    await refused(dataset.suite, /"rows\.csv" in "files" is a link to rows\.csv, which grades the task/);
  });

  it('a folder walk over the whole task folder leaves task.yaml out, in a real container', async () => {
    const t = taskDir(
      'id: t\ninstructions: x\nfiles: [{ from: . }]\n' +
        'scorer: { type: command, command: "test -f data.txt && test ! -e task.yaml && ! grep -rq SECRET-ANSWER ." }\n' +
        'sim:\n  final: "SECRET-ANSWER is not here"\n',
      (d) => writeFileSync(join(d, 'data.txt'), 'data'),
    );
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-inputs-walk-'));
    const r = await runCli(['run', t.suite, '--run-id', 'walk', '--results-dir', resultsDir]);
    expect(r.code, r.stderr).toBe(0);
    const [sample] = readJsonl(join(resultsDir, 'walk/samples.jsonl')).map((l) =>
      SampleRecordSchema.parse(l),
    );
    expect(sample?.passed, sample?.score_detail ?? '').toBe(true);
  }, 120_000);

  it('dataset.file: /etc/passwd and a link to it are refused, and nothing of them is echoed', async () => {
    const absolute = taskDir(`id: t\ninstructions: "{{user}}"\ndataset: { file: /etc/passwd }\n${MATCH}`);
    const out = await refused(
      absolute.suite,
      /dataset\.file: "\/etc\/passwd" is outside the task and suite folders$/,
    );
    expect(out).not.toMatch(/root:/);
    const linked = taskDir(`id: t\ninstructions: "{{user}}"\ndataset: { file: users.csv }\n${MATCH}`, (d) =>
      symlinkSync('/etc/passwd', join(d, 'users.csv')),
    );
    const out2 = await refused(
      linked.suite,
      /dataset\.file: "users\.csv" links outside the task and suite folders$/,
    );
    expect(out2).not.toMatch(/root:/);
  });

  it('a YAML alias bomb: exit 2 naming the file, at once', async () => {
    const levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(',')}]`,
      );
    const t = taskDir(`${levels.join('\n')}\nid: t\ninstructions: x\n${MATCH}`);
    const started = Date.now();
    await refused(t.suite, /t\/task\.yaml: cannot expand the file's aliases \(Excessive alias count/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('files that are not UTF-8: YAML and datasets name the line; task files are copied byte for byte', async () => {
    const latin1 = taskDir(Buffer.from(`id: t\ninstructions: "caf\xe9"\n${MATCH}`, 'latin1'));
    await refused(
      latin1.suite,
      /t\/task\.yaml:2: not valid UTF-8 at byte 19 of the line \(offset 24, byte 0xe9\)/,
    );
    const dataset = taskDir(`id: t\ninstructions: "{{q}}"\ndataset: { file: rows.csv }\n${MATCH}`, (d) =>
      writeFileSync(
        join(d, 'rows.csv'),
        Buffer.concat([Buffer.from('q\nok\n'), Buffer.from([0x66, 0xff, 0x0a])]),
      ),
    );
    await refused(dataset.suite, /t\/rows\.csv:3: not valid UTF-8 at byte 2 of the line/);

    const blob = Buffer.concat([randomBytes(4096), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x00, 0x80])]);
    const sha = createHash('sha256').update(blob).digest('hex');
    const binary = taskDir(
      `id: t\ninstructions: x\nfiles: [{ from: blob.bin }]\nscorer: { type: command, command: "echo '${sha}  blob.bin' | sha256sum -c -" }\nsim: { final: done }\n`,
      (d) => writeFileSync(join(d, 'blob.bin'), blob),
    );
    const resultsDir = mkdtempSync(join(tmpdir(), 'tb-inputs-bin-'));
    const r = await runCli(['run', binary.suite, '--run-id', 'bin', '--results-dir', resultsDir]);
    expect(r.code, r.stderr).toBe(0);
    const [sample] = readJsonl(join(resultsDir, 'bin/samples.jsonl')).map((l) => SampleRecordSchema.parse(l));
    expect(sample?.passed, sample?.score_detail ?? '').toBe(true);
  }, 120_000);

  it('an invalid scorer regex is refused when the task loads, also one a dataset row makes', async () => {
    const plain = taskDir(
      'id: t\ninstructions: x\nscorer: { type: match, mode: regex, expected: "([a-z]" }\nsim: { final: done }\n',
    );
    await refused(plain.suite, /t\/task\.yaml:3: scorer\.expected: invalid regular expression: /);
    const row = taskDir(
      'id: t\ninstructions: "{{q}}"\ndataset: { file: rows.csv }\nscorer: { type: match, mode: regex, expected: "^{{a}}$" }\nsim: { final: done }\n',
      (d) => writeFileSync(join(d, 'rows.csv'), 'q,a\none,1\ntwo,(2\n'),
    );
    await refused(
      row.suite,
      /t\/rows\.csv:3: scorer\.expected in .*task\.yaml: invalid regular expression: /,
    );
  });

  it('an image the engine does not have: exit 2 naming the task and field', async () => {
    const t = taskDir(`id: t\ninstructions: x\nimage: turnbench/does-not-exist:${process.pid}\n${MATCH}`);
    await refused(
      t.suite,
      /t\/task\.yaml: image: image "turnbench\/does-not-exist:\d+" is not on the Docker engine/,
    );
    const suiteImage = taskDir(`id: t\ninstructions: x\n${MATCH}`);
    writeFileSync(suiteImage.suite, `${SUITE}sandbox: { image: "turnbench/absent:${process.pid}" }\n`);
    await refused(
      suiteImage.suite,
      /suite\.yaml: sandbox\.image: image "turnbench\/absent:\d+" is not on the Docker engine/,
    );
    expect(
      execFileSync('docker', ['images', '-q', `turnbench/does-not-exist:${process.pid}`], {
        encoding: 'utf8',
      }),
    ).toBe('');
  });
});
