import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { SampleRecord } from '../telemetry/index.js';
import { writeTextAtomically } from './atomic-file.js';
import { type CompareResult, formatGateChange } from './compare.js';
import { formatCompact, formatPercent, formatUsd } from './format.js';
import type { Repricing } from './reprice.js';
import { readManifest } from './run-dir.js';
import { readSamples, runVariantOrder } from './summary.js';

/**
 * JUnit XML for CI test views (GitHub, GitLab, Jenkins), in the shape of Jenkins' junit-4 XSD:
 * `report --junit` has one test case per sample, `compare --junit` one per gate and variant.
 * xmlbuilder2 is loaded only when a JUnit file is asked for.
 */

type XmlNode = XMLBuilder;

async function newDocument(): Promise<XmlNode> {
  const { create } = await import('xmlbuilder2');
  return create({ version: '1.0', encoding: 'UTF-8' });
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
const firstLine = (text: string) => text.split('\n')[0] ?? text;
/** XML 1.0 cannot carry most control characters, even escaped; tool output may contain them. */
const xmlSafe = (text: string) =>
  text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');

function properties(node: XmlNode, props: Record<string, string>): void {
  const list = node.ele('properties');
  for (const [name, value] of Object.entries(props))
    list.ele('property', { name, value: xmlSafe(value) }).up();
  list.up();
}

type Outcome =
  | { kind: 'pass' }
  | { kind: 'failure'; message: string; body: string }
  | { kind: 'error'; type: string; message: string }
  | { kind: 'skipped'; message: string };

export function sampleOutcome(s: SampleRecord): Outcome {
  if (s.status === 'cancelled') return { kind: 'skipped', message: s.error?.message ?? 'run cancelled' };
  if (s.status === 'error') {
    return { kind: 'error', type: s.error?.kind ?? 'error', message: s.error?.message ?? 'sample failed' };
  }
  if (s.passed === true) return { kind: 'pass' };
  if (s.passed === null) return { kind: 'error', type: 'not_scored', message: 'the sample was not scored' };
  const detail = s.score_detail ?? 'scorer failed';
  const stop =
    s.stop_reason === 'final' ? '' : `stopped: ${s.stop_reason}${s.error ? ` (${s.error.message})` : ''}\n`;
  return { kind: 'failure', message: firstLine(detail), body: `${stop}${detail}` };
}

function sampleFigures(s: SampleRecord): string {
  const cached =
    s.cached_tokens === null
      ? 'cached unknown'
      : `cached ${formatCompact(s.cached_tokens)} (${formatPercent(s.input_tokens > 0 ? s.cached_tokens / s.input_tokens : 0)})`;
  const lines = [
    `turns ${s.turns}, input ${formatCompact(s.input_tokens)}, ${cached}, output ${formatCompact(s.output_tokens)}, ` +
      `cache breaks ${s.cache_breaks}, compactions ${s.compactions}, cost ${s.cost_usd === null ? 'unknown' : formatUsd(s.cost_usd)}, stop ${s.stop_reason}`,
  ];
  if (s.score !== null) lines.push(`score ${s.score.toFixed(3)}`);
  for (const g of s.grades ?? []) {
    lines.push(
      `grader ${g.model}: ${g.score === null ? `no grade (${g.error})` : `${g.score.toFixed(2)}, ${g.explanation ?? ''}`}` +
        ` [grader cost ${g.cost_usd === null ? 'unknown' : formatUsd(g.cost_usd)}]`,
    );
  }
  return lines.join('\n');
}

/** One <testsuite> per variant, one <testcase> per sample (name: task and epoch). */
export async function renderRunJunit(runDir: string, repricing?: Repricing): Promise<string> {
  const manifest = readManifest(runDir);
  const { samples } = await readSamples(runDir, repricing);
  const order = runVariantOrder(manifest);
  const byVariant = new Map<string, SampleRecord[]>(order.map((name) => [name, []]));
  for (const s of samples.values()) {
    const list = byVariant.get(s.variant) ?? [];
    list.push(s);
    byVariant.set(s.variant, list);
  }
  const outcomes = [...samples.values()].map(sampleOutcome);
  const count = (kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
  const totalMs = [...samples.values()].reduce((ms, s) => ms + s.wall_ms, 0);

  const doc = await newDocument();
  const root = doc.ele('testsuites', {
    name: `turnbench ${manifest.suite_name} ${manifest.run_id}`,
    tests: String(samples.size),
    failures: String(count('failure')),
    errors: String(count('error')),
    time: seconds(totalMs),
  });
  let id = 0;
  for (const [variant, list] of byVariant) {
    list.sort((a, b) => a.task_id.localeCompare(b.task_id) || a.epoch - b.epoch);
    const results = list.map(sampleOutcome);
    const suite = root.ele('testsuite', {
      name: variant,
      tests: String(list.length),
      failures: String(results.filter((o) => o.kind === 'failure').length),
      errors: String(results.filter((o) => o.kind === 'error').length),
      skipped: String(results.filter((o) => o.kind === 'skipped').length),
      time: seconds(list.reduce((ms, s) => ms + s.wall_ms, 0)),
      timestamp: manifest.started_at.replace(/\.\d+Z$/, '').replace(/Z$/, ''),
      id: String(id++),
      package: manifest.suite_name,
    });
    properties(suite, {
      'turnbench.run_id': manifest.run_id,
      'turnbench.suite': manifest.suite_name,
      'turnbench.run_status': manifest.status,
      'turnbench.variant': variant,
    });
    list.forEach((s, i) => {
      const outcome = results[i] ?? sampleOutcome(s);
      const test = suite.ele('testcase', {
        name: `${s.task_id} (epoch ${s.epoch})`,
        classname: `${manifest.suite_name}.${variant}`,
        time: seconds(s.wall_ms),
      });
      if (outcome.kind === 'skipped') test.ele('skipped').txt(xmlSafe(outcome.message)).up();
      if (outcome.kind === 'error') {
        test
          .ele('error', { type: outcome.type, message: xmlSafe(firstLine(outcome.message)) })
          .txt(xmlSafe(outcome.message))
          .up();
      }
      if (outcome.kind === 'failure') {
        test
          .ele('failure', { type: 'score', message: xmlSafe(outcome.message) })
          .txt(xmlSafe(outcome.body))
          .up();
      }
      test
        .ele('system-out')
        .txt(xmlSafe(sampleFigures(s)))
        .up();
      test.up();
    });
    suite.up();
  }
  return `${root.end({ prettyPrint: true })}\n`;
}

/** One <testcase> per gate and variant; a failed gate is a <failure> saying what changed. */
export async function renderCompareJunit(result: CompareResult): Promise<string> {
  const failures = result.gates.filter((g) => g.failed).length;
  const doc = await newDocument();
  const root = doc.ele('testsuites', {
    name: `turnbench compare ${result.baseline.run_id} -> ${result.candidate.run_id}`,
    tests: String(result.gates.length),
    failures: String(failures),
    errors: '0',
  });
  const suite = root.ele('testsuite', {
    name: 'turnbench gates',
    tests: String(result.gates.length),
    failures: String(failures),
    errors: '0',
    skipped: '0',
  });
  properties(suite, {
    'turnbench.baseline': result.baseline.run_id,
    'turnbench.candidate': result.candidate.run_id,
  });
  for (const g of result.gates) {
    const test = suite.ele('testcase', { name: `${g.gate} [${g.variant}]`, classname: 'turnbench.gates' });
    const text =
      `${g.gate} on variant ${g.variant}: baseline ${g.baseline}, candidate ${g.candidate}, ` +
      `change ${formatGateChange(g)}`;
    if (g.failed)
      test
        .ele('failure', { type: 'gate', message: xmlSafe(`gate failed: ${text}`) })
        .txt(xmlSafe(text))
        .up();
    else test.ele('system-out').txt(xmlSafe(text)).up();
    test.up();
  }
  return `${root.end({ prettyPrint: true })}\n`;
}

export async function writeJunit(file: string, xml: string): Promise<void> {
  await writeTextAtomically(file, xml);
}
