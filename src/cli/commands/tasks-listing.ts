import path from 'node:path';
import { displayPath, type ResolvedLimits, scorersOf } from '../../config/index.js';
import { expandSamples, type LoadedSuite, type LoadedTask, type TaskImage } from '../../tasks/index.js';

/** What `turnbench tasks` prints: the suite's expanded tasks and its sample count. */

interface TaskListing {
  id: string;
  file: string;
  image: string;
  scorer: string;
  tags: string[];
  limits: ResolvedLimits;
  network: boolean;
  files: number;
  dataset_row?: { file: string; line: number };
}

export interface SuiteListing {
  suite: string;
  file: string;
  variants: string[];
  epochs: number;
  tasks: TaskListing[];
  samples: number;
}

export function describeSuite(suite: LoadedSuite): SuiteListing {
  return {
    suite: suite.spec.name,
    file: displayPath(suite.file),
    variants: suite.spec.variants.map((v) => v.name),
    epochs: suite.spec.epochs,
    tasks: suite.tasks.map((task) => describeTask(task, suite.dir)),
    samples: expandSamples(suite).length,
  };
}

function describeTask(task: LoadedTask, suiteDir: string): TaskListing {
  return {
    id: task.id,
    file: displayPath(task.file),
    image: imageLabel(task.image, suiteDir),
    scorer: scorersOf(task.spec.scorer)
      .map((s) => s.type)
      .join('+'),
    tags: task.spec.tags,
    limits: task.limits,
    network: task.spec.network,
    files: task.files.length,
    ...(task.datasetRow
      ? { dataset_row: { file: displayPath(task.datasetRow.file), line: task.datasetRow.line } }
      : {}),
  };
}

function imageLabel(image: TaskImage, suiteDir: string): string {
  switch (image.kind) {
    case 'base':
      return 'base';
    case 'named':
      return image.name;
    case 'dockerfile':
      return `dockerfile:${path.relative(suiteDir, image.dockerfile)}`;
  }
}

export function formatListing(listing: SuiteListing): string {
  const header = ['TASK', 'IMAGE', 'SCORER', 'TURNS', 'TOKENS', 'WALL', 'TAGS'];
  const rows = listing.tasks.map((t) => [
    t.id,
    t.image,
    t.scorer,
    String(t.limits.max_turns),
    String(t.limits.max_total_tokens),
    `${t.limits.wall_timeout_s}s`,
    t.tags.join(','),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    `suite ${listing.suite} (${listing.file})`,
    line(header),
    ...rows.map(line),
    `${plural(listing.tasks.length, 'task')} x ${plural(listing.variants.length, 'variant')} (${listing.variants.join(', ')}) x ${plural(listing.epochs, 'epoch')} = ${plural(listing.samples, 'sample')}`,
    '',
  ].join('\n');
}
