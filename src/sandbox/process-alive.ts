import { readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name (which may itself hold spaces and parens). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat
      .slice(stat.lastIndexOf(')') + 2)
      .trim()
      .split(' ');
  } catch {
    return null;
  }
}

/** On Linux a killed runner whose parent has not reaped it yet is a zombie: dead for our purposes. */
function isZombie(pid: number): boolean {
  return statFields(pid)?.[0] === 'Z';
}

/** A process is gone when signalling it says so (ESRCH) or it is a zombie; EPERM means it runs as someone else. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  return !isZombie(pid);
}

/**
 * When a process started, in clock ticks since boot (field 22 of /proc/<pid>/stat); null where
 * there is no /proc. A pid that is reused belongs to a process with another start time.
 */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

let cachedBootId: string | null | undefined;

/** This boot of the machine (start times count from it); null where the kernel does not say. */
export function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

/** Who a process is, robustly: its pid, when it started, and in which boot. */
export interface ProcessIdentity {
  pid: number;
  start: string | null;
  boot: string | null;
}

let own: ProcessIdentity | null = null;

/** This process's identity, read once: it is asked for every sandbox created (owner labels). */
export function ownIdentity(): ProcessIdentity {
  if (own?.pid !== process.pid)
    own = { pid: process.pid, start: processStartTime(process.pid), boot: bootId() };
  return { ...own };
}

/**
 * Whether the process a record names still runs on this machine: the pid is alive and not a
 * zombie, and neither a reboot nor pid reuse has given that pid to another process since. A record
 * without a start time (no /proc when it was written) is judged by its pid alone.
 */
export function identityAlive(who: ProcessIdentity): boolean {
  const boot = bootId();
  if (who.boot && boot && who.boot !== boot) return false;
  if (!processAlive(who.pid)) return false;
  if (who.start === null) return true;
  const start = processStartTime(who.pid);
  return start === null || start === who.start;
}
