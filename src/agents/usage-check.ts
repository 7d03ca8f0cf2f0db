import type { NormalisedUsage } from '../model/index.js';
import type { AgentUsageCheck } from '../telemetry/index.js';
import type { CodexSessionLog, LoggedRequest } from './codex/session-log.js';
import type { RecordedUsage } from './proxy/sample-recorder.js';

/**
 * Does the agent's own account of its usage equal what the proxy saw? Codex's session log is read
 * by the reader `turnbench ingest` uses, so a match here means ingesting the log gives the proxy's
 * figures. A figure the provider did not report is null in our records and 0 in Codex's, so null
 * counts as 0 here.
 *
 * Per conversation (a log is one Codex thread; the proxy's conversation key for Codex is that
 * thread id):
 * - where the log names every request's response id (Codex 0.170 on), request by request by id,
 *   kind included: every proxied request must be in the log with the same figures, and no logged
 *   request may lack a proxied one;
 * - otherwise in order: the log has only `token_count` events then, which leave out the
 *   compaction_trigger request, so proxied compaction requests are left out of the comparison.
 * Codex logs no usage for its WebSocket warm-up (`generate: false`): warm-ups are left out of both.
 * A warning of the reader (two accounts of a request that disagree, a line it could not place) is
 * a difference too; a line that is not JSON (a log cut by a kill) is not.
 */
export function checkCodexUsage(
  proxied: readonly RecordedUsage[],
  logs: readonly CodexSessionLog[],
): AgentUsageCheck {
  const inLogs = logs.reduce((n, log) => n + log.requests.length, 0);
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
    problems.push(...log.warnings.map((w) => `session log: ${w}`));
    const byId = log.requests.length > 0 && log.requests.every((r) => r.responseId !== null);
    problems.push(...(byId ? compareById(ours, log.requests) : compareInOrder(ours, log.requests)));
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

function compareById(proxied: readonly RecordedUsage[], requests: readonly LoggedRequest[]): string[] {
  const problems: string[] = [];
  const byId = new Map(requests.map((r) => [r.responseId, r]));
  for (const p of proxied) {
    const logged = byId.get(p.responseId);
    if (!logged) problems.push(`turn ${p.turn} (${p.responseId ?? 'no id'}) is not in the session log`);
    else if (!sameUsage(p.usage, logged.usage)) {
      problems.push(
        `turn ${p.turn} (${p.responseId}): proxy ${figures(p.usage)}, log ${figures(logged.usage)}`,
      );
    } else if (p.kind !== logged.kind) {
      problems.push(
        `turn ${p.turn} (${p.responseId}): a ${p.kind} request to the proxy, ${logged.kind} in the log`,
      );
    }
  }
  const seen = new Set(proxied.map((p) => p.responseId));
  const extra = requests.filter((r) => !seen.has(r.responseId));
  if (extra.length > 0) {
    problems.push(
      `the session log has ${extra.length} request(s) the proxy did not see (${extra.map((r) => r.responseId).join(', ')})`,
    );
  }
  return problems;
}

function compareInOrder(proxied: readonly RecordedUsage[], requests: readonly LoggedRequest[]): string[] {
  const counted = proxied.filter((p) => p.kind !== 'compaction');
  if (counted.length !== requests.length) {
    return [
      `${requests.length} request(s) in the session log, ${counted.length} proxied (compaction requests aside)`,
    ];
  }
  for (let i = 0; i < counted.length; i++) {
    const p = counted[i]!;
    const logged = requests[i]!.usage;
    if (!sameUsage(p.usage, logged)) {
      return [`logged request ${i + 1} (turn ${p.turn}): proxy ${figures(p.usage)}, log ${figures(logged)}`];
    }
  }
  return [];
}
