export {
  countBounded,
  EXACT_CHARS,
  encodeBounded,
  HEAD_CHARS,
  PIECE_CHARS,
  SAMPLE_WINDOWS,
  truncateBounded,
} from './o200k.js';
