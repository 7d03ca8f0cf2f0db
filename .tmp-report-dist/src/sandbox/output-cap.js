/**
 * Output capping for sandbox commands: keep the head and the tail of what a command printed,
 * mark the cut, and never hold more than the cap in memory however much the command prints.
 */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
export function cutMarker(omittedBytes) {
    return `\n[... ${omittedBytes} bytes omitted ...]\n`;
}
/** Start of a UTF-8 sequence (not a continuation byte 10xxxxxx). */
function isCharStart(byte) {
    return byte === undefined || (byte & 0xc0) !== 0x80;
}
/** Largest n' <= n such that buf[0..n') ends on a character boundary. */
function headCut(buf, n) {
    let cut = Math.min(n, buf.length);
    while (cut > 0 && cut < buf.length && !isCharStart(buf[cut]))
        cut--;
    return cut;
}
/** Smallest start >= buf.length - n such that buf[start..] begins on a character boundary. */
function tailStart(buf, n) {
    let start = Math.max(0, buf.length - n);
    while (start < buf.length && !isCharStart(buf[start]))
        start++;
    return start;
}
/**
 * Pure cap of a stream known by its head and tail: `head` holds its first bytes, `tail` its last
 * bytes (disjoint from the head unless they are the same complete buffer), `totalBytes` its real
 * length. Keeps at most `budget` bytes (half head, half tail, never splitting a UTF-8 character)
 * plus a marker saying how many bytes were cut.
 */
export function renderCapped(head, tail, totalBytes, budget) {
    if (totalBytes <= budget && head.length === totalBytes) {
        return { text: head.toString('utf8'), truncated: false, totalBytes };
    }
    const headBudget = Math.ceil(budget / 2);
    const keptHead = head.subarray(0, headCut(head, headBudget));
    const keptTail = tail.subarray(tailStart(tail, budget - headBudget));
    const omitted = totalBytes - keptHead.length - keptTail.length;
    return {
        text: `${keptHead.toString('utf8')}${cutMarker(omitted)}${keptTail.toString('utf8')}`,
        truncated: true,
        totalBytes,
    };
}
/** Caps a complete output in one go. */
export function capOutput(output, maxBytes) {
    const buf = typeof output === 'string' ? Buffer.from(output, 'utf8') : output;
    return renderCapped(buf, buf, buf.length, maxBytes);
}
/**
 * Streaming collector: remembers the first `limit/2` and the last `limit/2` bytes and counts the
 * rest, so memory stays bounded by `limit` for endless output.
 */
export class CappedCollector {
    limit;
    headLimit;
    tailLimit;
    headParts = [];
    headBytes = 0;
    tail = Buffer.alloc(0);
    totalBytes = 0;
    constructor(limit) {
        this.limit = limit;
        this.headLimit = Math.ceil(limit / 2);
        this.tailLimit = limit - this.headLimit;
    }
    push(chunk) {
        this.totalBytes += chunk.length;
        let rest = chunk;
        if (this.headBytes < this.headLimit) {
            const take = rest.subarray(0, this.headLimit - this.headBytes);
            this.headParts.push(Buffer.from(take));
            this.headBytes += take.length;
            rest = rest.subarray(take.length);
        }
        if (rest.length === 0 || this.tailLimit === 0)
            return;
        if (rest.length >= this.tailLimit) {
            this.tail = Buffer.from(rest.subarray(rest.length - this.tailLimit));
        }
        else {
            const keep = this.tail.subarray(Math.max(0, this.tail.length + rest.length - this.tailLimit));
            this.tail = Buffer.concat([keep, rest]);
        }
    }
    /** Renders what was collected within `budget` bytes (at most the collector's own limit). */
    render(budget = this.limit) {
        const head = Buffer.concat(this.headParts);
        const cap = Math.min(budget, this.limit);
        if (this.totalBytes === head.length + this.tail.length)
            return capOutput(Buffer.concat([head, this.tail]), cap);
        return renderCapped(head, this.tail, this.totalBytes, cap);
    }
}
/**
 * Splits one output budget between stdout and stderr: the smaller stream gets what it needs up
 * to half the budget, the larger one the rest.
 */
export function splitBudget(stdoutBytes, stderrBytes, budget) {
    if (stdoutBytes + stderrBytes <= budget)
        return [stdoutBytes, stderrBytes];
    const half = Math.floor(budget / 2);
    if (stdoutBytes <= stderrBytes) {
        const out = Math.min(stdoutBytes, half);
        return [out, budget - out];
    }
    const err = Math.min(stderrBytes, half);
    return [budget - err, err];
}
//# sourceMappingURL=output-cap.js.map