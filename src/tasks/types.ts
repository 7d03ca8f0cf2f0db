import type { ResolvedLimits, SuiteSpec, TaskSpec, VariantSpec } from '../config/index.js';

/** A file to write into the sample's working directory. */
export interface TaskWorkdirFile {
  /** Relative to the working directory, `/`-separated, never escaping it. */
  path: string;
  content: Buffer;
  mode?: number;
}

/** Same shape as the sandbox's ImageRequest. */
export type TaskImage =
  | { kind: 'base' }
  | { kind: 'named'; name: string }
  | { kind: 'dockerfile'; dockerfile: string; contextDir: string };

export interface DatasetRowRef {
  /** Absolute path of the dataset file. */
  file: string;
  /** 1-based line where the row ends in the file (CSV) or the row's line (JSONL). */
  line: number;
  values: Record<string, string>;
}

export interface LoadedTask {
  /** `spec.id`, or for a dataset row `${spec.id}/${rowId}` (or the rendered id when `id` has placeholders). */
  id: string;
  /** Absolute task folder. */
  dir: string;
  /** Absolute task.yaml path. */
  file: string;
  /** The validated spec; for a dataset row, its `{{column}}` placeholders are already rendered. */
  spec: TaskSpec;
  /** DEFAULT_LIMITS <- suite.limits <- task.limits. */
  limits: ResolvedLimits;
  /** Every file to copy into the working directory, read and resolved (folders walked), in spec order. */
  files: TaskWorkdirFile[];
  /** A command scorer's `files`, resolved the same way: copied in after the agent has stopped. */
  graderFiles: TaskWorkdirFile[];
  /** From spec.image, else the suite's sandbox.image, else the base image. */
  image: TaskImage;
  datasetRow?: DatasetRowRef;
}

/** One agent conversation: one task, one variant, one epoch. */
export interface Sample {
  /** `${taskId}__${variant}__e${epoch}` with `/` in the task id replaced by `~` (see sampleIdFor). */
  sampleId: string;
  task: LoadedTask;
  variant: VariantSpec;
  /** 1-based. */
  epoch: number;
}

export interface LoadedSuite {
  /** Absolute suite.yaml path. */
  file: string;
  /** Absolute folder of the suite file. */
  dir: string;
  spec: SuiteSpec;
  tasks: LoadedTask[];
}
