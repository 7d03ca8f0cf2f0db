import { type Scorer, scorersOf, type TaskScorer } from '../config/index.js';
import { combineScores } from './combine.js';
import { commandScorer } from './command.js';
import { matchScorer } from './match.js';
import { modelScorer } from './model.js';
import type { ScoreInput, ScoreResult } from './types.js';

export { combineScores } from './combine.js';
export { matches } from './match.js';
export { GRADE_FORMAT_NAME, GradeAnswerSchema, gradingPrompt } from './model-prompt.js';
export type { GraderAccess, ScoreInput, ScoreResult, ScorerImpl } from './types.js';
export { GraderUnavailableError } from './types.js';

function scoreOne(spec: Scorer, input: ScoreInput): Promise<ScoreResult> {
  switch (spec.type) {
    case 'command':
      return commandScorer.score(spec, input);
    case 'match':
      return matchScorer.score(spec, input);
    case 'model':
      return modelScorer.score(spec, input);
  }
}

/** Runs the task's scorers one after another (they may share the sandbox) and combines them. */
export async function scoreSample(scorer: TaskScorer, input: ScoreInput): Promise<ScoreResult> {
  const scorers = scorersOf(scorer);
  const results: ScoreResult[] = [];
  for (const [index, spec] of scorers.entries()) {
    results.push(await scoreOne(spec, { ...input, scorerIndex: index }));
  }
  return combineScores(scorers, results);
}
