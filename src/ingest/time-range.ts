/** `--since` / `--until`: a day (`2026-05-01`, whole UTC days, both ends included) or an ISO date-time. */
export interface TimeRange {
  /** ms since epoch, inclusive; null = open. */
  from: number | null;
  /** ms since epoch, exclusive; null = open. */
  to: number | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export class TimeRangeError extends Error {
  override name = 'TimeRangeError';
}

function parseBound(flag: string, value: string, end: boolean): number {
  const text = value.trim();
  const ms = Date.parse(DAY.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms)) {
    throw new TimeRangeError(`${flag}: "${value}" is not a date (YYYY-MM-DD) or an ISO date-time`);
  }
  // A bare day as the upper bound means the end of that day.
  return end && DAY.test(text) ? ms + DAY_MS : ms;
}

export function parseTimeRange(since?: string, until?: string): TimeRange {
  const range: TimeRange = {
    from: since === undefined ? null : parseBound('--since', since, false),
    to: until === undefined ? null : parseBound('--until', until, true),
  };
  if (range.from !== null && range.to !== null && range.from >= range.to) {
    throw new TimeRangeError(`--since ${since} is not before --until ${until}`);
  }
  return range;
}

export function inRange(range: TimeRange, at: number): boolean {
  return (range.from === null || at >= range.from) && (range.to === null || at < range.to);
}
