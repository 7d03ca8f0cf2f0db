export {
  countBounded,
  EXACT_CHARS,
  encodeBounded,
  encodeBoundedU32,
  HEAD_CHARS,
  PIECE_CHARS,
  SAMPLE_WINDOWS,
  truncateBounded,
} from './o200k.js';
