import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { CodexAgentSpec, VariantSpec } from '../../config/index.js';
import { FileTooLargeError } from '../../sandbox/core.js';
import { redact } from '../../secrets/index.js';
import type { AgentContext, AgentDriver, AgentReport } from '../driver.js';
import { SANDBOX_BASE_URL, SANDBOX_PATHS } from '../launcher.js';
import type { RecordedUsage } from '../proxy/sample-recorder.js';
import type { AgentExit, AgentProcess } from '../sandbox-exec.js';
import { checkCodexUsage } from '../usage-check.js';
import type { CodexBuild } from './binary.js';
import { codexSetup } from './config.js';
import { type CodexSessionLog, readSessionLog } from './session-log.js';

const LAST_MESSAGE = posix.join(SANDBOX_PATHS.stateDir, 'last-message.txt');
const TASK_FILE = posix.join(SANDBOX_PATHS.stateDir, 'task.txt');
const SESSIONS = posix.join(SANDBOX_PATHS.codexHome, 'sessions');
const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/**
 * What is copied out of a sandbox as session logs. A Codex run writes one rollout per thread; the
 * caps keep a hostile task (say, 1,000 hard links to one large file) from filling this machine's disk.
 */
const MAX_SESSION_LOG_FILES = 32;
const MAX_SESSION_LOG_BYTES = 64 * 1024 * 1024;

/**
 * Codex CLI in the sandbox: `codex exec` with the task on standard input, a private CODEX_HOME
 * whose config.toml points Codex at the proxy, approvals and Codex's own sandbox off (the
 * container is the sandbox). Afterwards its session logs are copied into the sample's results
 * folder and their per-request usage checked against the proxy's records.
 */
export class CodexDriver implements AgentDriver {
  readonly type = 'codex' as const;

  constructor(
    private readonly build: CodexBuild,
    private readonly variant: VariantSpec,
    private readonly agent: CodexAgentSpec,
  ) {}

  async prepare(ctx: AgentContext): Promise<AgentProcess> {
    const setup = codexSetup(this.variant, this.agent, {
      baseUrl: SANDBOX_BASE_URL,
      lastMessageFile: LAST_MESSAGE,
    });
    await ctx.sandbox.writeFile(posix.join(SANDBOX_PATHS.codexHome, 'config.toml'), setup.configToml);
    await ctx.sandbox.writeFile(TASK_FILE, ctx.sample.task.spec.instructions);
    return {
      argv: [posix.join(SANDBOX_PATHS.codexDir, this.build.entrypoint), ...setup.args],
      env: {
        HOME: posix.dirname(SANDBOX_PATHS.codexHome),
        CODEX_HOME: SANDBOX_PATHS.codexHome,
        PATH: `${posix.join(SANDBOX_PATHS.codexDir, 'codex-path')}:${BASE_PATH}`,
        ...setup.env,
      },
      stdinFile: TASK_FILE,
      timeoutMs: ctx.timeoutMs,
    };
  }

  async collect(
    ctx: AgentContext,
    _exit: AgentExit,
    proxied: readonly RecordedUsage[],
  ): Promise<AgentReport> {
    const { logs, leftOut } = await this.copySessionLogs(ctx);
    let finalAnswer: string | null = null;
    try {
      finalAnswer = (await ctx.sandbox.readFile(LAST_MESSAGE)).trim();
    } catch {
      finalAnswer = null; // Codex did not finish with a message (stopped, or failed)
    }
    let usageCheck = checkCodexUsage(proxied, logs);
    if (leftOut > 0) {
      const note = `${leftOut} session log file(s) left in the sandbox: over ${MAX_SESSION_LOG_FILES} files or ${MAX_SESSION_LOG_BYTES} bytes`;
      usageCheck = {
        ...usageCheck,
        status: usageCheck.status === 'match' ? 'mismatch' : usageCheck.status,
        detail: usageCheck.detail ? `${usageCheck.detail}; ${note}` : note,
      };
    }
    return { finalAnswer, usageCheck, version: this.build.version };
  }

  /**
   * The rollout files under CODEX_HOME/sessions, copied to `<sample folder>/codex/sessions/...` and
   * read there, up to the caps; `leftOut` counts the files past them.
   */
  private async copySessionLogs(ctx: AgentContext): Promise<{ logs: CodexSessionLog[]; leftOut: number }> {
    const listing = await ctx.sandbox.exec(['find', SESSIONS, '-type', 'f', '-name', 'rollout-*.jsonl'], {
      timeoutMs: 30_000,
      maxOutputBytes: 64 * 1024,
    });
    if (listing.exitCode !== 0) return { logs: [], leftOut: 0 };
    const files = listing.stdout
      .split('\n')
      .filter((line) => line.startsWith(`${SESSIONS}/`))
      .sort();
    const logs: CodexSessionLog[] = [];
    let bytesLeft = MAX_SESSION_LOG_BYTES;
    for (const [i, file] of files.entries()) {
      if (i >= MAX_SESSION_LOG_FILES) return { logs, leftOut: files.length - i };
      let text: string;
      try {
        text = await ctx.sandbox.readFile(file, { maxBytes: bytesLeft });
      } catch (error) {
        if (error instanceof FileTooLargeError) return { logs, leftOut: files.length - i };
        throw error;
      }
      bytesLeft -= Buffer.byteLength(text);
      const local = join(ctx.sampleDir, 'codex', 'sessions', posix.relative(SESSIONS, file));
      await mkdir(dirname(local), { recursive: true });
      // the copy in the run folder is redacted like every results file (src/secrets); the check
      // reads that copy, as ingesting the run later would
      await writeFile(local, redact(text));
      logs.push(await readSessionLog(local));
    }
    return { logs, leftOut: 0 };
  }
}
