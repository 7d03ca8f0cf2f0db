import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { aggregateRun } from './aggregate.js';
import { writeSamplesCsv, writeTurnsCsv } from './csv.js';
import { listRuns } from './history.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
/** Writes report.md, report.html, samples.csv and turns.csv beside the run's results. */
export async function writeReport(runDir, options = {}) {
    const outDir = options.outDir ?? runDir;
    const data = await aggregateRun(runDir, options);
    let history = [];
    if (options.history)
        history = (await listRuns(dirname(runDir))).runs;
    const files = {
        markdown: join(outDir, 'report.md'),
        html: join(outDir, 'report.html'),
        samplesCsv: join(outDir, 'samples.csv'),
        turnsCsv: join(outDir, 'turns.csv'),
    };
    await writeFile(files.markdown, renderMarkdown(data));
    await writeFile(files.html, renderHtml(data, history));
    await writeSamplesCsv(files.samplesCsv, data.samples);
    await writeTurnsCsv(files.turnsCsv, runDir);
    return { files, data };
}
//# sourceMappingURL=write-report.js.map