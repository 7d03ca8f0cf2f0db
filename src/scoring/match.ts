import type { Scorer } from '../config/index.js';
import type { ScorerImpl } from './types.js';

type MatchScorer = Extract<Scorer, { type: 'match' }>;

export function matches(spec: MatchScorer, answer: string): boolean {
  const flags = spec.ignore_case ? 'i' : '';
  const norm = (s: string) => (spec.ignore_case ? s.toLowerCase() : s);
  switch (spec.mode) {
    case 'equals':
      return norm(answer.trim()) === norm(spec.expected.trim());
    case 'contains':
      return norm(answer).includes(norm(spec.expected));
    case 'regex':
      return new RegExp(spec.expected, flags).test(answer);
  }
}

/** Checks the agent's final answer against an expected string or pattern. */
export const matchScorer: ScorerImpl<MatchScorer> = {
  type: 'match',
  async score(spec, { finalAnswer }) {
    if (finalAnswer === null) return { passed: false, score: 0, detail: 'no final answer' };
    const passed = matches(spec, finalAnswer);
    return {
      passed,
      score: passed ? 1 : 0,
      detail: `${spec.mode} ${JSON.stringify(spec.expected)}: ${passed ? 'matched' : 'no match'}`,
    };
  },
};
