import type { NormalisedUsage } from '../model/index.js';
import type { AgentUsageCheck } from '../telemetry/index.js';
import type { CodexSessionLog } from './codex/session-log.js';
import type { RecordedUsage } from './proxy/sample-recorder.js';

/**
 * Does the agent's own account of its usage equal what the proxy saw? Codex logs, per request,
 * input tokens (cached included), cached tokens, output tokens and reasoning tokens; a figure the
 * provider did not report is null in our records and 0 in Codex's, so null counts as 0 here.
 *
 * Two comparisons, per conversation (a log is one Codex thread; the proxy's conversation key for
 * Codex is that thread id):
 * - by response id, against `token_usage_record` lines (every proxied request must have one, with
 *   the same figures, and no record may lack a proxied request);
 * - in order, against the `token_count` events (repeats dropped), which Codex writes for its
 *   ordinary turns and summary requests but not for its `compaction_trigger` request.
 * Codex logs neither for its WebSocket warm-up (`generate: false`), so warm-ups are left out of both.
 */
export function checkCodexUsage(
  proxied: readonly RecordedUsage[],
  logs: readonly CodexSessionLog[],
): AgentUsageCheck {
  const inLogs = logs.reduce((n, log) => n + Math.max(log.records.length, log.tokenCounts.length), 0);
  if (logs.length === 0) {
    return {
      status: 'no_log',
      proxy_requests: proxied.length,
      log_requests: 0,
      detail: 'no session log was found',
    };
  }
  const problems: string[] = [];
  const claimed = new Set<RecordedUsage>();
  const logged = proxied.filter((p) => p.kind !== 'warmup');
  for (const log of logs) {
    const mine = logged.filter((p) => log.sessionId === null || p.conversation === log.sessionId);
    const ours = mine.length > 0 || logs.length > 1 ? mine : [...logged];
    for (const p of ours) claimed.add(p);
    problems.push(...compareRecords(ours, log), ...compareTokenCounts(ours, log));
  }
  const unclaimed = logged.filter((p) => !claimed.has(p));
  if (unclaimed.length > 0) {
    problems.push(
      `${unclaimed.length} proxied request(s) belong to no session log (turns ${unclaimed.map((p) => p.turn).join(', ')})`,
    );
  }
  return {
    status: problems.length === 0 ? 'match' : 'mismatch',
    proxy_requests: logged.length,
    log_requests: inLogs,
    detail: problems.length === 0 ? null : problems.slice(0, 5).join('; '),
  };
}

const figures = (u: NormalisedUsage) =>
  `input ${u.inputTokens} cached ${u.cachedTokens ?? 0} output ${u.outputTokens} reasoning ${u.reasoningTokens ?? 0}`;

function sameUsage(a: NormalisedUsage, b: NormalisedUsage): boolean {
  return (
    a.inputTokens === b.inputTokens &&
    (a.cachedTokens ?? 0) === (b.cachedTokens ?? 0) &&
    a.outputTokens === b.outputTokens &&
    (a.reasoningTokens ?? 0) === (b.reasoningTokens ?? 0)
  );
}

function compareRecords(proxied: readonly RecordedUsage[], log: CodexSessionLog): string[] {
  if (log.records.length === 0) return [];
  const problems: string[] = [];
  const byId = new Map(log.records.map((r) => [r.responseId, r]));
  for (const p of proxied) {
    const record = byId.get(p.responseId);
    if (!record) problems.push(`turn ${p.turn} (${p.responseId ?? 'no id'}) is not in the session log`);
    else if (!sameUsage(p.usage, record.usage)) {
      problems.push(
        `turn ${p.turn} (${p.responseId}): proxy ${figures(p.usage)}, log ${figures(record.usage)}`,
      );
    }
  }
  const seen = new Set(proxied.map((p) => p.responseId));
  const extra = log.records.filter((r) => !seen.has(r.responseId));
  if (extra.length > 0) {
    problems.push(
      `the session log has ${extra.length} request(s) the proxy did not see (${extra.map((r) => r.responseId).join(', ')})`,
    );
  }
  return problems;
}

function compareTokenCounts(proxied: readonly RecordedUsage[], log: CodexSessionLog): string[] {
  const counted = proxied.filter((p) => p.kind !== 'compaction' && p.kind !== 'warmup');
  if (counted.length !== log.tokenCounts.length) {
    return [
      `token_count: ${log.tokenCounts.length} request(s) in the log, ${counted.length} proxied (compaction requests aside)`,
    ];
  }
  for (let i = 0; i < counted.length; i++) {
    const p = counted[i]!;
    const logged = log.tokenCounts[i]!;
    if (!sameUsage(p.usage, logged)) {
      return [`token_count ${i + 1} (turn ${p.turn}): proxy ${figures(p.usage)}, log ${figures(logged)}`];
    }
  }
  return [];
}
