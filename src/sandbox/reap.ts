import { hostname } from 'node:os';
import { ANY_LABEL_VALUE, HOST_LABEL, PID_LABEL, RUN_LABEL } from './docker-provider.js';
import { processAlive } from './process-alive.js';
import type { SandboxProvider } from './types.js';

export interface ReapOptions {
  /** The machine whose dead runs are reaped; defaults to this one. */
  host?: string;
  /** Whether a process of this machine still runs; defaults to a signal-0 probe. */
  isAlive?: (pid: number) => boolean;
}

/**
 * Removes the sandboxes left by dead runs: those labelled `turnbench.run` whose `turnbench.host`
 * is this machine and whose `turnbench.pid` no longer runs. Live runs' sandboxes, other machines'
 * and those without a pid label are left alone. Returns how many were removed (0 for providers
 * that cannot list their sandboxes, such as the local one).
 */
export async function reapOrphans(provider: SandboxProvider, opts: ReapOptions = {}): Promise<number> {
  if (!provider.listLabels) return 0;
  const host = opts.host ?? hostname();
  const isAlive = opts.isAlive ?? processAlive;
  const found = await provider.listLabels({ [RUN_LABEL]: ANY_LABEL_VALUE, [HOST_LABEL]: host });
  const pids = new Set<string>();
  for (const labels of found) {
    const pid = labels[PID_LABEL];
    if (pid && /^[1-9][0-9]*$/.test(pid)) pids.add(pid);
  }
  let removed = 0;
  for (const pid of pids) {
    if (Number(pid) === process.pid || isAlive(Number(pid))) continue;
    removed += await provider.removeByLabels({
      [RUN_LABEL]: ANY_LABEL_VALUE,
      [HOST_LABEL]: host,
      [PID_LABEL]: pid,
    });
  }
  return removed;
}
