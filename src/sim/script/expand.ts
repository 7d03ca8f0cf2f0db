import type { SimScript, SimStep } from '../../config/schema.js';

export interface ScriptCall {
  tool: string;
  args: Record<string, unknown>;
  rawArguments: string | undefined;
}

export interface ExpandedStep {
  when: { output_contains?: string | undefined; output_not_contains?: string | undefined } | undefined;
  say: string | undefined;
  calls: ScriptCall[];
}

function substitute<T>(value: T, i: number): T {
  if (typeof value === 'string') return value.replaceAll('{{i}}', String(i)) as T;
  if (Array.isArray(value)) return value.map((v) => substitute(v, i)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, i)])) as T;
  }
  return value;
}

function callsOf(step: SimStep): ScriptCall[] {
  if ('shell' in step) {
    // Codex's shell tool shape: an argv, run through a login shell.
    return [{ tool: 'shell', args: { command: ['bash', '-lc', step.shell] }, rawArguments: undefined }];
  }
  if ('parallel' in step) {
    return step.parallel.map((c) => ({ tool: c.tool, args: c.args, rawArguments: c.raw_arguments }));
  }
  return [{ tool: step.tool, args: step.args, rawArguments: step.raw_arguments }];
}

const cache = new WeakMap<SimScript, ExpandedStep[]>();

/** Flatten `repeat` into individual steps (with `{{i}}`, 1-based); memoised per script. */
export function expandScript(script: SimScript): ExpandedStep[] {
  const hit = cache.get(script);
  if (hit) return hit;
  const out: ExpandedStep[] = [];
  for (const step of script.steps) {
    const times = step.repeat ?? 1;
    for (let i = 1; i <= times; i++) {
      out.push(substitute({ when: step.when, say: step.say, calls: callsOf(step) }, i));
    }
  }
  cache.set(script, out);
  return out;
}
