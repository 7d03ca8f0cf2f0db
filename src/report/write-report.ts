import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { redact } from '../secrets/index.js';
import { type AggregateOptions, aggregateRun, type ReportData } from './aggregate.js';
import { writeSamplesCsv, writeTurnsCsv } from './csv.js';
import { type HistoryEntry, listRuns } from './history.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

export interface ReportFiles {
  markdown: string;
  html: string;
  samplesCsv: string;
  turnsCsv: string;
}

export interface WriteReportOptions extends AggregateOptions {
  /** Include the trend of the runs found beside this one (the run's parent folder) in the HTML. */
  history?: boolean;
  /** Where to write; default: the run folder itself. */
  outDir?: string;
}

/** Writes report.md, report.html, samples.csv and turns.csv beside the run's results. */
export async function writeReport(
  runDir: string,
  options: WriteReportOptions = {},
): Promise<{ files: ReportFiles; data: ReportData }> {
  const outDir = options.outDir ?? runDir;
  const data = await aggregateRun(runDir, options);
  let history: HistoryEntry[] = [];
  if (options.history) history = (await listRuns(dirname(runDir))).runs;
  const files: ReportFiles = {
    markdown: join(outDir, 'report.md'),
    html: join(outDir, 'report.html'),
    samplesCsv: join(outDir, 'samples.csv'),
    turnsCsv: join(outDir, 'turns.csv'),
  };
  // Records are redacted when written; this also covers runs written before that, or merged in.
  await writeFile(files.markdown, redact(renderMarkdown(data)));
  await writeFile(files.html, redact(renderHtml(data, history)));
  await writeSamplesCsv(files.samplesCsv, data.samples);
  await writeTurnsCsv(files.turnsCsv, runDir, options.repricing);
  return { files, data };
}
