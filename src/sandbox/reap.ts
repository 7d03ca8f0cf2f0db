import { hostname } from 'node:os';
import { ANY_LABEL_VALUE, HOST_LABEL, PID_LABEL, PID_START_LABEL, RUN_LABEL } from './labels.js';
import { identityAlive, ownIdentity, type ProcessIdentity } from './process-alive.js';
import type { SandboxProvider } from './types.js';

export interface ReapOptions {
  /** The machine whose dead runs are reaped; defaults to this one. */
  host?: string;
  /** Whether the process that created a sandbox still runs; defaults to pid + start-time checks. */
  isAlive?: (owner: ProcessIdentity) => boolean;
  /** Only sandboxes also carrying these labels (one run's, say). */
  scope?: Record<string, string>;
}

interface Owner {
  pid: string;
  start: string | null;
}

/** The process a sandbox's labels name as its owner, when they name one. */
function ownerOf(labels: Record<string, string>): Owner | null {
  const pid = labels[PID_LABEL];
  if (!pid || !/^[1-9][0-9]*$/.test(pid)) return null;
  const start = labels[PID_START_LABEL];
  return { pid, start: start && /^[0-9]+$/.test(start) ? start : null };
}

/**
 * Removes the sandboxes left by dead runs: those labelled `turnbench.run` whose `turnbench.host`
 * is this machine and whose owner process (`turnbench.pid`, started at `turnbench.pid-start`) no
 * longer runs. A pid now held by another process counts as dead. Live runs' sandboxes, other
 * machines' and those without a pid label are left alone. Returns how many were removed (0 for
 * providers that cannot list their sandboxes, such as the local one).
 */
export async function reapOrphans(provider: SandboxProvider, opts: ReapOptions = {}): Promise<number> {
  if (!provider.listLabels) return 0;
  const host = opts.host ?? hostname();
  const isAlive = opts.isAlive ?? ((owner: ProcessIdentity) => identityAlive({ ...owner, boot: null }));
  const scope = { [RUN_LABEL]: ANY_LABEL_VALUE, ...opts.scope, [HOST_LABEL]: host };
  const found = await provider.listLabels(scope);
  const owners = new Map<string, Owner>();
  for (const labels of found) {
    const owner = ownerOf(labels);
    if (owner) owners.set(`${owner.pid}:${owner.start ?? ''}`, owner);
  }
  const me = ownIdentity();
  let removed = 0;
  for (const owner of owners.values()) {
    const pid = Number(owner.pid);
    if (pid === me.pid && (owner.start === null || owner.start === me.start)) continue;
    if (isAlive({ pid, start: owner.start, boot: null })) continue;
    removed += await provider.removeByLabels({
      ...scope,
      [PID_LABEL]: owner.pid,
      ...(owner.start ? { [PID_START_LABEL]: owner.start } : {}),
    });
  }
  return removed;
}

/** Whether a sandbox's owner (by its labels) is known to be alive on this machine. */
export function sandboxOwnerAlive(labels: Record<string, string>, host = hostname()): boolean | null {
  if (labels[HOST_LABEL] !== host) return null;
  const owner = ownerOf(labels);
  if (!owner) return null;
  return identityAlive({ pid: Number(owner.pid), start: owner.start, boot: null });
}
