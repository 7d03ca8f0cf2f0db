// Straight to the reader, not through ingest/index.ts: that entry also holds the run-folder writer,
// which needs runner/, which needs agents/.
import { readCodexRollout } from '../../ingest/codex/read.js';
import type { NormalisedUsage } from '../../model/index.js';

/** One model request as Codex's session log tells it, read by the same reader as `turnbench ingest`. */
export interface LoggedRequest {
  responseId: string | null;
  kind: 'agent' | 'compaction' | 'summary';
  usage: NormalisedUsage;
}

export interface CodexSessionLog {
  /** The Codex thread the log belongs to (`session_meta`, else the rollout file's name). */
  sessionId: string | null;
  /** One per model request the log holds, in order (Codex logs none for a WebSocket warm-up). */
  requests: LoggedRequest[];
  /** Lines that were not JSON (a log cut by a kill); the rest is still read. */
  unreadableLines: number;
  /** The reader's other warnings: a line it could not place, or two accounts of a request that disagree. */
  warnings: string[];
}

/** Reads a rollout (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`) as `turnbench ingest` reads it. */
export async function readSessionLog(file: string): Promise<CodexSessionLog> {
  const log: CodexSessionLog = { sessionId: null, requests: [], unreadableLines: 0, warnings: [] };
  for await (const event of readCodexRollout(file)) {
    if (event.type === 'session') log.sessionId = event.session.id;
    else if (event.type === 'request') {
      const { responseId, kind, usage } = event.request;
      log.requests.push({ responseId, kind, usage });
    } else if (event.type === 'warning') {
      if (event.unreadableLine) log.unreadableLines++;
      // For ingest it says why nothing was ingested; here an empty `requests` says it already, and
      // the usage check compares that with what the proxy recorded (a Codex that gave up on its
      // first request, say after a 429 it does not retry, leaves no request on either side).
      else if (!event.noRequest) log.warnings.push(event.message);
    }
  }
  return log;
}
