import type { CacheTtl } from '../responses/schema.js';
import type { TokenCache } from '../tokens/token-cache.js';
import { digestLanes, seedHash } from '../util/hash.js';
import type { Segment, SegmentKind } from './segments.js';

/** Tokens hashed to route a request without `prompt_cache_key` (the real service uses ~256). */
export const ROUTING_HEAD_TOKENS = 256;

/** A position no prompt reaches. */
const NEVER = 0x7fffffff;

/**
 * The two 32-bit lanes of the chain hash (util/hash.ts) while a prompt is analysed. The per-token
 * loop is a function of its own over them: inside analysePrompt, next to the code that samples
 * hashes, V8 compiled it 3-4x slower (and once captured by a closure, each lane update allocated
 * a heap number).
 */
const lanes = new Int32Array(2);

function lanesDigest(): number {
  return digestLanes(lanes[0] as number, lanes[1] as number);
}

/** Mixes `arr[from..to)` into the lanes, as util/hash.ts mixInto does one value. */
function mixTokens(arr: Uint32Array, from: number, to: number): void {
  let a = lanes[0] as number;
  let b = lanes[1] as number;
  for (let i = from; i < to; i++) {
    const t = arr[i] as number;
    a = Math.imul(a ^ t, 0x01000193);
    b = Math.imul((b ^ t) + (b >>> 13), 0x5bd1e995);
  }
  lanes[0] = a;
  lanes[1] = b;
}

export interface Boundary {
  end: number;
  hash: number;
  kind: SegmentKind;
  label: string;
  compaction: boolean;
}

export interface PromptAnalysis {
  totalTokens: number;
  /** Chain hash of the first ROUTING_HEAD_TOKENS tokens (or the whole prompt when shorter). */
  headHash: number;
  /** Chain hash at every multiple of the block size (index k covers (k+1)*blockSize tokens). */
  blockHashes: number[];
  boundaries: Boundary[];
  breakpoints: Array<{ pos: number; hash: number; ttl: CacheTtl | undefined }>;
  /** Chain hashes at the positions asked for by `probeFor`. */
  probes: Map<number, number>;
  endHash: number;
}

export interface AnalyseOptions {
  /** Mixed into the chain so that model / effort / format changes never share a prefix. */
  seed: string;
  blockSize: number | null;
  /** Called once the routing head is known; returns extra positions whose hash is wanted. */
  probeFor?: (headHash: number) => ReadonlySet<number> | undefined;
}

/**
 * One pass over the prompt's tokens computing a chained hash (the hash at position p covers
 * tokens [0, p)), sampled at block ends, segment ends, breakpoints and probe positions.
 * O(tokens) with a couple of integer multiplies per token.
 */
export function analysePrompt(segments: Segment[], tokens: TokenCache, opts: AnalyseOptions): PromptAnalysis {
  const state = seedHash(opts.seed);
  const block = opts.blockSize ?? 0;
  const blockHashes: number[] = [];
  const boundaries: Boundary[] = [];
  const breakpoints: PromptAnalysis['breakpoints'] = [];
  const probes = new Map<number, number>();
  let headHash: number | null = null;
  let pos = 0;
  lanes[0] = state.a;
  lanes[1] = state.b;
  // Tokens are mixed in runs that end where a hash is wanted: `stop`, the next block end, routing
  // head or probe position; the probe positions, known once the head is, in order.
  let nextBlock = block > 0 ? block : NEVER;
  let probeList: number[] = [];
  let probeAt = 0;
  let nextProbe = NEVER;
  let stop = Math.min(nextBlock, ROUTING_HEAD_TOKENS);

  for (const seg of segments) {
    let nextBreakpoint = 0;
    for (let p = 0; p < seg.pieces.length; p++) {
      const arr = tokens.tokens(seg.pieces[p] as string);
      for (let i = 0; i < arr.length; ) {
        const to = Math.min(arr.length, i + (stop - pos));
        mixTokens(arr, i, to);
        pos += to - i;
        i = to;
        if (pos !== stop) continue;
        const hash = lanesDigest();
        if (pos === nextBlock) {
          blockHashes.push(hash);
          nextBlock += block;
        }
        if (pos === ROUTING_HEAD_TOKENS) {
          headHash = hash;
          const wanted = opts.probeFor?.(hash);
          if (wanted) probeList = [...wanted].filter((q) => q >= ROUTING_HEAD_TOKENS).sort((x, y) => x - y);
          nextProbe = probeList[0] ?? NEVER;
        }
        if (pos === nextProbe) {
          probes.set(pos, hash);
          nextProbe = probeList[++probeAt] ?? NEVER;
        }
        stop = Math.min(nextBlock, nextProbe, headHash === null ? ROUTING_HEAD_TOKENS : NEVER);
      }
      while (nextBreakpoint < seg.breakpoints.length && seg.breakpoints[nextBreakpoint]?.afterPiece === p) {
        breakpoints.push({ pos, hash: lanesDigest(), ttl: seg.breakpoints[nextBreakpoint]?.ttl });
        nextBreakpoint++;
      }
    }
    boundaries.push({
      end: pos,
      hash: lanesDigest(),
      kind: seg.kind,
      label: seg.label,
      compaction: seg.compaction,
    });
  }
  const endHash = lanesDigest();
  if (headHash === null) {
    headHash = endHash;
    if (opts.probeFor?.(headHash)?.has(pos)) probes.set(pos, endHash);
  }
  return { totalTokens: pos, headHash, blockHashes, boundaries, breakpoints, probes, endHash };
}
