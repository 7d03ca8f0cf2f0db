import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { redact } from '../secrets/index.js';
import { type AggregateOptions, aggregateRun, type ReportData } from './aggregate.js';
import { writeTextAtomically } from './atomic-file.js';
import { writeSamplesCsv, writeTurnsCsv } from './csv.js';
import { type HistoryEntry, listRuns } from './history.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { readManifest } from './run-dir.js';

export interface ReportFiles {
  markdown: string;
  html: string;
  samplesCsv: string;
  turnsCsv: string;
}

export interface WriteReportOptions extends AggregateOptions {
  /** Include the trend of the runs found beside this one (the run's parent folder) in the HTML. */
  history?: boolean;
  /** Where to write (made when missing); default: the run folder itself. */
  outDir?: string;
  /**
   * The process that still writes the run (it holds the run's lock), when there is one: the report
   * is then marked partial, with how many samples it covers.
   */
  writer?: { command: string; pid: number };
}

/**
 * Writes report.md, report.html, samples.csv and turns.csv beside the run's results (or into
 * `outDir`), each file whole or not at all (see atomic-file.ts).
 */
export async function writeReport(
  runDir: string,
  options: WriteReportOptions = {},
): Promise<{ files: ReportFiles; data: ReportData }> {
  const outDir = options.outDir ?? runDir;
  const data = await aggregateRun(runDir, options);
  if (options.writer) {
    data.in_progress = {
      writer: options.writer.command,
      pid: options.writer.pid,
      samples_with_result: data.samples.length,
      samples_planned: readManifest(runDir).sample_ids.length,
      read_at: new Date().toISOString(),
    };
  }
  let history: HistoryEntry[] = [];
  if (options.history) history = (await listRuns(dirname(runDir))).runs;
  const files: ReportFiles = {
    markdown: join(outDir, 'report.md'),
    html: join(outDir, 'report.html'),
    samplesCsv: join(outDir, 'samples.csv'),
    turnsCsv: join(outDir, 'turns.csv'),
  };
  await mkdir(outDir, { recursive: true });
  // Records are redacted when written; this also covers runs written before that, or merged in.
  await writeTextAtomically(files.markdown, redact(renderMarkdown(data)));
  await writeTextAtomically(files.html, redact(renderHtml(data, history)));
  await writeSamplesCsv(files.samplesCsv, data.samples);
  await writeTurnsCsv(files.turnsCsv, runDir, options.repricing);
  return { files, data };
}
