/**
 * Bounded capture of a process's output: keeps the first and last bytes of a stream and counts
 * what fell in between, so a command printing gigabytes costs a fixed amount of memory.
 */
export const CUT_MARKER = (droppedBytes) => `\n[... ${droppedBytes} bytes truncated ...]\n`;
export class HeadTailCollector {
    headLimit;
    tailLimit;
    headParts = [];
    headBytes = 0;
    tailParts = [];
    tailBytes = 0;
    total = 0;
    /** Retains at most `maxBytes` bytes: half from the start of the stream, half from its end. */
    constructor(maxBytes) {
        this.headLimit = Math.ceil(maxBytes / 2);
        this.tailLimit = Math.floor(maxBytes / 2);
    }
    push(chunk) {
        this.total += chunk.length;
        let rest = chunk;
        if (this.headBytes < this.headLimit) {
            const take = Math.min(this.headLimit - this.headBytes, rest.length);
            this.headParts.push(rest.subarray(0, take));
            this.headBytes += take;
            rest = rest.subarray(take);
        }
        if (rest.length === 0 || this.tailLimit === 0)
            return;
        this.tailParts.push(rest);
        this.tailBytes += rest.length;
        // Compact when the tail holds well over its limit, so memory stays bounded.
        if (this.tailBytes > this.tailLimit * 2)
            this.compactTail();
    }
    get totalBytes() {
        return this.total;
    }
    /** Head and tail as retained, without overlap: together they are the kept bytes of the stream. */
    parts() {
        this.compactTail();
        return { head: Buffer.concat(this.headParts), tail: Buffer.concat(this.tailParts) };
    }
    compactTail() {
        const tail = Buffer.concat(this.tailParts);
        const kept = tail.length > this.tailLimit ? tail.subarray(tail.length - this.tailLimit) : tail;
        this.tailParts = [Buffer.from(kept)];
        this.tailBytes = kept.length;
    }
}
/**
 * Render a collected stream within `budget` bytes (at most the collector's own limit), keeping
 * the head and tail and marking the cut. The budget excludes the marker itself.
 */
export function renderCapped(collector, budget) {
    const { head, tail } = collector.parts();
    const total = collector.totalBytes;
    if (total <= budget && head.length + tail.length === total) {
        return { text: Buffer.concat([head, tail]).toString('utf8'), truncated: false };
    }
    const headKeep = Math.min(head.length, Math.ceil(budget / 2));
    const tailKeep = Math.min(tail.length, budget - headKeep);
    const keptHead = trimToCharBoundaryEnd(head.subarray(0, headKeep));
    const keptTail = trimToCharBoundaryStart(tail.subarray(tail.length - tailKeep));
    const dropped = total - keptHead.length - keptTail.length;
    return {
        text: keptHead.toString('utf8') + CUT_MARKER(dropped) + keptTail.toString('utf8'),
        truncated: true,
    };
}
/**
 * Split one byte budget between stdout and stderr: a stream that needs less than its half gives
 * the rest to the other one.
 */
export function splitBudget(stdoutBytes, stderrBytes, budget) {
    if (stdoutBytes + stderrBytes <= budget)
        return [stdoutBytes, stderrBytes];
    const half = Math.floor(budget / 2);
    if (stderrBytes <= half)
        return [budget - stderrBytes, stderrBytes];
    if (stdoutBytes <= half)
        return [stdoutBytes, budget - stdoutBytes];
    return [budget - half, half];
}
/** Drop a UTF-8 sequence cut short at the end of the buffer. */
function trimToCharBoundaryEnd(buf) {
    let i = buf.length - 1;
    let continuation = 0;
    while (i >= 0 && continuation < 3 && ((buf[i] ?? 0) & 0xc0) === 0x80) {
        i--;
        continuation++;
    }
    if (i < 0)
        return buf;
    const lead = buf[i] ?? 0;
    const needed = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
    return needed > continuation ? buf.subarray(0, i) : buf;
}
/** Drop continuation bytes of a UTF-8 sequence whose start was cut off. */
function trimToCharBoundaryStart(buf) {
    let i = 0;
    while (i < buf.length && i < 3 && ((buf[i] ?? 0) & 0xc0) === 0x80)
        i++;
    return buf.subarray(i);
}
//# sourceMappingURL=local-output.js.map