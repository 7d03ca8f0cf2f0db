import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * The built-in sim as a `turnbench sim` child process, so its CPU is its own (read from /proc)
 * and the measuring process's CPU is the client's alone.
 */
export interface ChildSim {
  /** Base URL without `/v1`. */
  url: string;
  child: ChildProcess;
  /** utime + stime of the sim process so far, in ms; null where /proc is not there. */
  cpuMs(): number | null;
  close(): Promise<void>;
}

let ticks: number | null = null;

export function clockTicksPerSecond(): number {
  if (ticks !== null) return ticks;
  try {
    ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    ticks = 100;
  }
  return ticks;
}

/**
 * CPU time the whole machine has spent busy since boot (every process and the kernel: /proc/stat's
 * first line without idle and iowait), in ms; null where /proc is not there.
 */
export function machineBusyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0);
    if (!Number.isFinite(busy) || idle === undefined || iowait === undefined) return null;
    return (busy * 1000) / clockTicksPerSecond();
  } catch {
    return null;
  }
}

/** utime + stime of a live process from /proc (Linux), in ms; null elsewhere. */
export function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond();
  } catch {
    return null;
  }
}

/** Starts `turnbench sim --port 0` (with the sim scripts of `suiteFile`) and waits for its URL. */
export async function startChildSim(suiteFile: string, extraArgs: string[] = []): Promise<ChildSim> {
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const child = spawn(process.execPath, [main, 'sim', '--port', '0', '--suite', suiteFile, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('sim child did not print its URL within 30 s')),
        30_000,
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sim child exited with ${code}: ${stderr.trim()}`));
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /listening on (http:\/\/\S+)/.exec(line);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    return { url, child, cpuMs: () => (child.pid ? procCpuMs(child.pid) : null), close };
  } catch (error) {
    await close();
    throw error;
  }
}
