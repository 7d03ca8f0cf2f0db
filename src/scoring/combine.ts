import type { Scorer } from '../config/index.js';
import type { ScoreResult } from './types.js';

/**
 * A task with several scorers: the sample passes only when every scorer passes; its score is
 * the mean of the scores; the detail lists each scorer's own detail in order.
 */
export function combineScores(scorers: readonly Scorer[], results: readonly ScoreResult[]): ScoreResult {
  if (results.length === 1 && results[0]) return results[0];
  const passed = results.every((r) => r.passed);
  const score = results.reduce((sum, r) => sum + r.score, 0) / Math.max(1, results.length);
  const detail = results
    .map(
      (r, i) =>
        `[${i + 1}/${results.length} ${scorers[i]?.type ?? '?'} ${r.passed ? 'pass' : 'fail'}] ${r.detail}`,
    )
    .join('\n');
  const grades = results.flatMap((r) => r.grades ?? []);
  return { passed, score, detail, ...(grades.length > 0 ? { grades } : {}) };
}
