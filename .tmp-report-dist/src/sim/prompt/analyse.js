import { digest, seedHash } from '../util/hash.js';
/** Tokens hashed to route a request without `prompt_cache_key` (the real service uses ~256). */
export const ROUTING_HEAD_TOKENS = 256;
/**
 * One pass over the prompt's tokens computing a chained hash (the hash at position p covers
 * tokens [0, p)), sampled at block ends, segment ends, breakpoints and probe positions.
 * O(tokens) with a couple of integer multiplies per token.
 */
export function analysePrompt(segments, tokens, opts) {
    const state = seedHash(opts.seed);
    const block = opts.blockSize ?? 0;
    const blockHashes = [];
    const boundaries = [];
    const breakpoints = [];
    const probes = new Map();
    let probeSet;
    let headHash = null;
    let pos = 0;
    let a = state.a;
    let b = state.b;
    const mark = () => {
        state.a = a;
        state.b = b;
        return digest(state);
    };
    for (const seg of segments) {
        let nextBreakpoint = 0;
        for (let p = 0; p < seg.pieces.length; p++) {
            const arr = tokens.tokens(seg.pieces[p]);
            for (let i = 0; i < arr.length; i++) {
                const t = arr[i];
                a = Math.imul(a ^ t, 0x01000193);
                b = Math.imul((b ^ t) + (b >>> 13), 0x5bd1e995);
                pos++;
                if (block > 0 && pos % block === 0)
                    blockHashes.push(mark());
                if (pos === ROUTING_HEAD_TOKENS) {
                    headHash = mark();
                    probeSet = opts.probeFor?.(headHash);
                }
                if (probeSet?.has(pos))
                    probes.set(pos, mark());
            }
            while (nextBreakpoint < seg.breakpoints.length && seg.breakpoints[nextBreakpoint]?.afterPiece === p) {
                breakpoints.push({ pos, hash: mark(), ttl: seg.breakpoints[nextBreakpoint]?.ttl });
                nextBreakpoint++;
            }
        }
        boundaries.push({ end: pos, hash: mark(), kind: seg.kind, label: seg.label, compaction: seg.compaction });
    }
    const endHash = mark();
    if (headHash === null) {
        headHash = endHash;
        probeSet = opts.probeFor?.(headHash);
        if (probeSet?.has(pos))
            probes.set(pos, endHash);
    }
    return { totalTokens: pos, headHash, blockHashes, boundaries, breakpoints, probes, endHash };
}
//# sourceMappingURL=analyse.js.map