import type { ModelScorer, Scorer } from '../config/index.js';
import type { GradeClient, NormalisedUsage } from '../model/index.js';
import type { Sandbox, SandboxFile } from '../sandbox/index.js';
import type { SampleGrade } from '../telemetry/index.js';

/** How model scorers reach their graders; the runner builds one per run. */
export interface GraderAccess {
  clientFor(spec: ModelScorer): GradeClient;
  costOf(model: string, usage: NormalisedUsage): number | null;
}

export interface ScoreInput {
  sandbox: Sandbox;
  finalAnswer: string | null;
  /** The task's instructions (a model grader is shown them). */
  taskText: string;
  /** The scorer's own files, copied into the working directory once the agent has stopped. */
  graderFiles: SandboxFile[];
  signal?: AbortSignal;
  /** Absent when the run has no model scorer; a model scorer then fails with a clear detail. */
  graders?: GraderAccess;
  /** Position of the scorer in the task's list (recorded with a grade). */
  scorerIndex?: number;
}

export interface ScoreResult {
  passed: boolean;
  score: number;
  detail: string;
  /** Model graders' verdicts with their own usage (never the agent's). */
  grades?: SampleGrade[];
}

/**
 * A model grader could not be asked (its provider failed after retries): the sample has no score
 * (it ends as an error, run again on resume), as when its sandbox is gone.
 */
export class GraderUnavailableError extends Error {
  override name = 'GraderUnavailableError';
}

/** A scorer type: add one by writing a file that implements this and registering it in index.ts. */
export interface ScorerImpl<S extends Scorer = Scorer> {
  readonly type: S['type'];
  score(spec: S, input: ScoreInput): Promise<ScoreResult>;
}
