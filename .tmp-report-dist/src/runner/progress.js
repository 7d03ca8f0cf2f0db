import cliProgress from 'cli-progress';
function sampleLine(r) {
    const verdict = r.status !== 'completed' ? r.status.toUpperCase() : r.passed ? 'pass' : 'FAIL';
    const hit = r.cached_tokens !== null && r.input_tokens > 0 ? `${Math.round((100 * r.cached_tokens) / r.input_tokens)}%` : 'n/a';
    const error = r.error ? `  ${r.error.kind}: ${r.error.message}` : '';
    return `${verdict.padEnd(9)} ${r.sample_id}  ${r.turns} turns  cached ${hit}  ${(r.wall_ms / 1000).toFixed(1)}s${error}`;
}
/** One line per finished sample: logs, CI, pipes. */
export class LineProgress {
    out;
    done = 0;
    total = 0;
    constructor(out = process.stderr) {
        this.out = out;
    }
    start(total) {
        this.total = total;
        this.out.write(`running ${total} samples\n`);
    }
    info(line) {
        this.out.write(`${line}\n`);
    }
    sampleFinished(record) {
        this.done += 1;
        this.out.write(`[${this.done}/${this.total}] ${sampleLine(record)}\n`);
    }
    stop() { }
}
/** A live bar on a terminal; failures, errors and notices are logged as lines above it. */
export class BarProgress {
    multi = new cliProgress.MultiBar({
        format: ' {bar} {value}/{total} samples | pass {passed} fail {failed} err {errors} | eta {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        stream: process.stderr,
    }, cliProgress.Presets.shades_classic);
    bar = null;
    counts = { passed: 0, failed: 0, errors: 0 };
    start(total) {
        this.bar = this.multi.create(total, 0, this.counts);
    }
    info(line) {
        if (this.bar)
            this.multi.log(`${line}\n`);
        else
            process.stderr.write(`${line}\n`);
    }
    sampleFinished(record) {
        if (record.status === 'error' || record.status === 'timeout')
            this.counts.errors += 1;
        else if (record.passed)
            this.counts.passed += 1;
        else
            this.counts.failed += 1;
        if (!record.passed)
            this.multi.log(`${sampleLine(record)}\n`);
        this.bar?.increment(1, this.counts);
    }
    stop() {
        this.multi.stop();
    }
}
export function progressFor(stream = process.stderr) {
    return stream.isTTY ? new BarProgress() : new LineProgress(stream);
}
//# sourceMappingURL=progress.js.map