import type { CacheTtl } from '../responses/schema.js';

/**
 * A prompt as the cache model sees it: an ordered list of segments (each tool, the
 * instructions, each input item), each made of text pieces that are tokenised and cached
 * one by one. Explicit cache breakpoints sit after a piece.
 */
export type SegmentKind = 'tool' | 'instructions' | 'item';

export interface Segment {
  kind: SegmentKind;
  /** Item type or message role, for diagnostics. */
  label: string;
  pieces: string[];
  breakpoints: Array<{ afterPiece: number; ttl: CacheTtl | undefined }>;
  /** This item is a compaction item (for the `context_compacted` miss reason). */
  compaction: boolean;
}

export function segment(kind: SegmentKind, label: string, pieces: string[], compaction = false): Segment {
  return { kind, label, pieces, breakpoints: [], compaction };
}
