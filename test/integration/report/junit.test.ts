import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import { validateXML } from 'xmllint-wasm';
import { readSamples } from '../../../src/report/index.js';
import { assertBuilt, runCli } from '../cli/helpers.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const XSD = readFileSync(join(FIXTURES, 'junit/jenkins-junit.xsd'), 'utf8');

async function xsdErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [XSD] });
  return result.errors.map((e) => e.rawMessage);
}

interface Case {
  name: string;
  classname: string;
  failure: { message: string; text: string } | null;
  error: { message: string; type: string } | null;
  skipped: boolean;
}

/** The part of xmlbuilder2's DOM (its own implementation, @oozcitak/dom) the checks read. */
interface DomElement {
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): ArrayLike<DomElement>;
  textContent: string | null;
}

/** The test cases of a JUnit file, read through the DOM (attribute values unescaped). */
function testCases(xml: string): Case[] {
  const root = create(xml).root().node as unknown as DomElement;
  return Array.from(root.getElementsByTagName('testcase')).map((tc) => {
    const child = (tag: string) => tc.getElementsByTagName(tag)[0];
    const failure = child('failure');
    const error = child('error');
    return {
      name: tc.getAttribute('name') ?? '',
      classname: tc.getAttribute('classname') ?? '',
      failure: failure
        ? { message: failure.getAttribute('message') ?? '', text: failure.textContent ?? '' }
        : null,
      error: error
        ? { message: error.getAttribute('message') ?? '', type: error.getAttribute('type') ?? '' }
        : null,
      skipped: child('skipped') !== undefined,
    };
  });
}

describe('JUnit XML (report --junit, compare --junit) against the Jenkins junit-4 XSD', () => {
  const results = mkdtempSync(join(tmpdir(), 'tb-junit-'));
  beforeAll(() => {
    assertBuilt();
    cpSync(join(FIXTURES, 'runs'), results, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  });

  it('the validator rejects what the XSD forbids (a test case without a name)', async () => {
    const bad =
      '<?xml version="1.0"?><testsuites><testsuite name="x" tests="1"><testcase/></testsuite></testsuites>';
    expect((await xsdErrors(bad)).join('\n')).toMatch(/attribute 'name' is required/);
  });

  it('report --junit: one test case per sample, failures carry the scorer message, valid XML', async () => {
    const file = join(results, 'report.junit.xml');
    const out = await runCli(['report', 'fixture-base', '--results-dir', results, '--junit', file, '--json']);
    expect(out.code, out.stderr).toBe(0);
    const xml = readFileSync(file, 'utf8');
    expect(await xsdErrors(xml)).toEqual([]);

    const samples = [...(await readSamples(join(results, 'fixture-base'))).samples.values()];
    const cases = testCases(xml);
    expect(cases).toHaveLength(samples.length);
    for (const s of samples) {
      const c = cases.find(
        (t) => t.name === `${s.task_id} (epoch ${s.epoch})` && t.classname.endsWith(`.${s.variant}`),
      );
      expect(c, s.sample_id).toBeDefined();
      if (s.status === 'error') {
        expect(c?.error?.type).toBe(s.error?.kind);
        expect(c?.error?.message).toBe(s.error?.message);
      } else if (s.passed) {
        expect(c?.failure).toBeNull();
        expect(c?.error).toBeNull();
      } else {
        expect(c?.failure?.message).toBe((s.score_detail ?? '').split('\n')[0]);
        expect(c?.failure?.text).toContain(s.score_detail ?? '');
      }
    }
    expect(cases.filter((c) => c.failure)).toHaveLength(
      samples.filter((s) => s.passed === false && s.status !== 'error').length,
    );
  });

  it('compare --junit: one test case per gate and variant; a failed gate is a failure', async () => {
    const file = join(results, 'compare.junit.xml');
    const out = await runCli([
      'compare',
      'fixture-base',
      'fixture-cand',
      '--results-dir',
      results,
      '--fail-on',
      'pass_rate<-5pp,cost_usd>+1000%',
      '--junit',
      file,
      '--json',
    ]);
    const result = JSON.parse(out.stdout) as {
      gates: { gate: string; variant: string; failed: boolean }[];
      failed: boolean;
    };
    expect(out.code).toBe(result.failed ? 1 : 0);
    const xml = readFileSync(file, 'utf8');
    expect(await xsdErrors(xml)).toEqual([]);
    const cases = testCases(xml);
    expect(cases.map((c) => c.name)).toEqual(result.gates.map((g) => `${g.gate} [${g.variant}]`));
    expect(cases.map((c) => c.failure !== null)).toEqual(result.gates.map((g) => g.failed));
    // the fixture candidate loses a pass: the pass-rate gate fails somewhere, the cost gate nowhere
    expect(result.gates.some((g) => g.gate === 'pass_rate<-5pp' && g.failed)).toBe(true);
    expect(result.gates.filter((g) => g.gate === 'cost_usd>+1000%').every((g) => !g.failed)).toBe(true);
  });
});
