import type { Scorer } from '../config/index.js';
import type { Sandbox } from '../sandbox/index.js';

export interface ScoreInput {
  sandbox: Sandbox;
  finalAnswer: string | null;
  signal?: AbortSignal;
}

export interface ScoreResult {
  passed: boolean;
  score: number;
  detail: string;
}

/** A scorer type: add one by writing a file that implements this and registering it in index.ts. */
export interface ScorerImpl<S extends Scorer = Scorer> {
  readonly type: S['type'];
  score(spec: S, input: ScoreInput): Promise<ScoreResult>;
}
