import { posix } from 'node:path';
import type { CommandAgentSpec, VariantSpec } from '../../config/index.js';
import { PLACEHOLDER_KEY } from '../codex/config.js';
import type { AgentContext, AgentDriver, AgentReport } from '../driver.js';
import { SANDBOX_BASE_URL, SANDBOX_PATHS } from '../launcher.js';
import type { AgentExit, AgentProcess } from '../sandbox-exec.js';

const TASK_FILE = posix.join(SANDBOX_PATHS.stateDir, 'task.txt');
const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** The final answer of a command agent is the end of its standard output. */
const ANSWER_CHARS = 16 * 1024;

/** `{{task}}` and `{{model}}` in one argument. */
export function renderArgument(arg: string, values: { task: string; model: string }): string {
  return arg.replaceAll('{{task}}', values.task).replaceAll('{{model}}', values.model);
}

/** The environment the contract promises a command agent (docs/agents.md). */
export function commandEnvironment(variant: VariantSpec, agent: CommandAgentSpec): Record<string, string> {
  const env: Record<string, string> = {
    HOME: posix.dirname(SANDBOX_PATHS.stateDir),
    PATH: agent.node ? `${SANDBOX_PATHS.nodeBin}:${BASE_PATH}` : BASE_PATH,
    TURNBENCH_BASE_URL: SANDBOX_BASE_URL,
    TURNBENCH_API_KEY: PLACEHOLDER_KEY,
    TURNBENCH_MODEL: variant.model,
    ...(variant.reasoning_effort ? { TURNBENCH_REASONING_EFFORT: variant.reasoning_effort } : {}),
    ...agent.env,
  };
  for (const name of agent.base_url_vars) env[name] = SANDBOX_BASE_URL;
  for (const name of agent.api_key_vars) env[name] = PLACEHOLDER_KEY;
  return env;
}

/**
 * Any agent CLI: run as the variant says, in the sandbox's working directory, pointed at the
 * proxy by environment variables, the task as an argument or on standard input. Its exit code and
 * output tails are recorded; its final answer is the end of its standard output.
 */
export class CommandDriver implements AgentDriver {
  readonly type = 'command' as const;

  constructor(
    private readonly variant: VariantSpec,
    private readonly agent: CommandAgentSpec,
  ) {}

  async prepare(ctx: AgentContext): Promise<AgentProcess> {
    const task = ctx.sample.task.spec.instructions;
    const viaStdin = this.agent.task === 'stdin';
    if (viaStdin) await ctx.sandbox.writeFile(TASK_FILE, task);
    return {
      argv: this.agent.command.map((arg) =>
        renderArgument(arg, { task: viaStdin ? '' : task, model: this.variant.model }),
      ),
      env: commandEnvironment(this.variant, this.agent),
      stdinFile: viaStdin ? TASK_FILE : null,
      timeoutMs: ctx.timeoutMs,
    };
  }

  async collect(
    _ctx: AgentContext,
    exit: AgentExit,
    proxied: readonly { turn: number }[],
  ): Promise<AgentReport> {
    const stdout = exit.kind === 'exited' ? exit.result.stdout.trim() : '';
    return {
      finalAnswer: stdout === '' ? null : stdout.slice(-ANSWER_CHARS),
      usageCheck: {
        status: 'not_checked',
        proxy_requests: proxied.length,
        log_requests: 0,
        detail: 'a command agent keeps no usage log turnbench can read',
      },
      version: null,
    };
  }
}
