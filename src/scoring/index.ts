import type { Scorer } from '../config/index.js';
import { commandScorer } from './command.js';
import { matchScorer } from './match.js';
import type { ScoreInput, ScoreResult } from './types.js';

export { matches } from './match.js';
export type { ScoreInput, ScoreResult, ScorerImpl } from './types.js';

export async function scoreSample(spec: Scorer, input: ScoreInput): Promise<ScoreResult> {
  switch (spec.type) {
    case 'command':
      return commandScorer.score(spec, input);
    case 'match':
      return matchScorer.score(spec, input);
  }
}
