import { describe, expect, it } from 'vitest';
import { measureTree } from '../../../bench/process-tree-cpu.js';

// A child that spends CPU, started by the measured command and waited for: a grandchild of the shell.
const burn = (ms: number) =>
  `const end = process.cpuUsage().user + ${ms * 1000}; while (process.cpuUsage().user < end) {}`;

describe('measureTree (the peers benchmark: CPU of a whole process tree)', () => {
  it('counts the CPU of processes the command starts and waits for, not only its own', async () => {
    const script = `require('node:child_process').execFileSync(process.execPath, ['-e', ${JSON.stringify(burn(300))}]);`;
    const measured = await measureTree(process.execPath, ['-e', script]);
    // The grandchild alone spent 300 ms of user CPU; node's own start adds to it.
    expect(measured.cpu_ms).toBeGreaterThanOrEqual(300);
    expect(measured.wall_ms).toBeGreaterThanOrEqual(300);
  });

  it('hands the command its standard input and returns its standard output', async () => {
    const measured = await measureTree('tr', ['a-z', 'A-Z'], { input: 'peers\n' });
    expect(measured.stdout).toBe('PEERS\n');
  });

  it('rejects a command that fails, with the last line it said', async () => {
    await expect(measureTree('sh', ['-c', 'echo first >&2; echo no such task >&2; exit 3'])).rejects.toThrow(
      /exited with code 3: no such task/,
    );
  });

  it('does not hand the command the descriptor its figures come back on', async () => {
    // Were fd 3 left open, the command could write figures of its own there.
    const measured = await measureTree('sh', [
      '-c',
      'if { true >&3; } 2>/dev/null; then echo open; else echo closed; fi',
    ]);
    expect(measured.stdout).toBe('closed\n');
  });
});
