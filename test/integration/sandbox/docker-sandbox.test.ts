import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSandboxProvider, type Sandbox, type SandboxSpec } from '../../../src/sandbox/index.js';
import { dockerTestsEnabled } from './docker-engine.js';

const docker = new Dockerode();
const enabled = await dockerTestsEnabled(docker);
const runId = `test-${randomUUID().slice(0, 8)}`;
const provider = new DockerSandboxProvider({ docker });
let image = '';

function spec(overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    image,
    workdir: '/workspace',
    files: [],
    labels: { 'turnbench.run': runId },
    limits: { memoryMb: 256, cpus: 1, pids: 64 },
    network: false,
    ...overrides,
  };
}

async function containersOf(run: string): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`turnbench.run=${run}`] } });
}

const sh = (script: string) => ['sh', '-c', script];

describe.skipIf(!enabled)('DockerSandboxProvider against the real engine', () => {
  let box: Sandbox;

  beforeAll(async () => {
    const progress: string[] = [];
    image = await provider.ensureImage({ kind: 'base' }, (line) => progress.push(line));
    expect(image).toMatch(/^turnbench\/base:[0-9a-f]{12}$/);
    box = await provider.create(
      spec({
        files: [
          { path: 'hello.txt', content: 'hello sandbox\n' },
          { path: 'sub/dir/run.sh', content: '#!/bin/sh\necho "ran in $(pwd)"\n', mode: 0o755 },
          { path: 'data.bin', content: Buffer.from([0, 1, 2, 255]) },
        ],
        labels: { 'turnbench.run': runId, 'turnbench.sample': 'shared' },
      }),
    );
  });

  afterAll(async () => {
    await provider.removeByLabels({ 'turnbench.run': runId });
  });

  it('tags the base image latest too', async () => {
    const latest = await docker.getImage('turnbench/base:latest').inspect();
    const hashed = await docker.getImage(image).inspect();
    expect(latest.Id).toBe(hashed.Id);
  });

  it('runs argv without a shell and reports exit codes and both streams', async () => {
    const ok = await box.exec(['echo', 'a $HOME b'], { timeoutMs: 10_000 });
    expect(ok).toMatchObject({
      exitCode: 0,
      stdout: 'a $HOME b\n',
      stderr: '',
      timedOut: false,
      truncated: false,
    });
    const failed = await box.exec(sh('echo out; echo err >&2; exit 3'), { timeoutMs: 10_000 });
    expect(failed).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    const missing = await box.exec(['no-such-command'], { timeoutMs: 10_000 });
    expect(missing.exitCode).toBe(127);
    // The timeout wrapper runs commands as a background job; they must still get default signal handling.
    const signals = await box.exec(['grep', 'SigIgn', '/proc/self/status'], { timeoutMs: 10_000 });
    expect(signals.stdout).toBe('SigIgn:\t0000000000000000\n');
    // No stdin attached: a command reading it sees end-of-file at once rather than hanging.
    expect(await box.exec(['cat'], { timeoutMs: 10_000 })).toMatchObject({
      exitCode: 0,
      stdout: '',
      timedOut: false,
    });
  });

  it('honours cwd and env', async () => {
    const r = await box.exec(sh('pwd; echo "$GREETING"'), {
      timeoutMs: 10_000,
      cwd: 'sub',
      env: { GREETING: 'hi' },
    });
    expect(r.stdout).toBe('/workspace/sub\nhi\n');
  });

  it('copies task files with their content, mode and the sandbox user as owner', async () => {
    const r = await box.exec(
      sh('stat -c "%n %u:%g %a" . hello.txt sub sub/dir sub/dir/run.sh; cat hello.txt'),
      {
        timeoutMs: 10_000,
      },
    );
    expect(r.stdout).toBe(
      [
        '. 1000:1000 755',
        'hello.txt 1000:1000 644',
        'sub 1000:1000 755',
        'sub/dir 1000:1000 755',
        'sub/dir/run.sh 1000:1000 755',
        'hello sandbox',
        '',
      ].join('\n'),
    );
    expect((await box.exec(['./sub/dir/run.sh'], { timeoutMs: 10_000 })).stdout).toBe('ran in /workspace\n');
    expect((await box.exec(['od', '-An', '-tu1', 'data.bin'], { timeoutMs: 10_000 })).stdout.trim()).toBe(
      '0   1   2 255',
    );
  });

  it('runs as the non-root user with no capabilities and no new privileges', async () => {
    const r = await box.exec(sh('id -u; id -g; grep -E "^(CapEff|CapPrm|NoNewPrivs)" /proc/self/status'), {
      timeoutMs: 10_000,
    });
    expect(r.stdout).toBe(
      '1000\n1000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\n',
    );
    const info = await docker.getContainer(box.id).inspect();
    expect(info.HostConfig).toMatchObject({
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      NetworkMode: 'none',
      Memory: 256 * 1024 * 1024,
      MemorySwap: 256 * 1024 * 1024,
      NanoCpus: 1e9,
      PidsLimit: 64,
      Init: true,
    });
    expect(info.Config.Labels).toMatchObject({ 'turnbench.run': runId, 'turnbench.sample': 'shared' });
  });

  it('round-trips writeFile and readFile, owned by the sandbox user', async () => {
    const big = `${'ünïcødé line\n'.repeat(200_000)}end`;
    await box.writeFile('new/dir/big.txt', big);
    expect(await box.readFile('new/dir/big.txt')).toBe(big);
    await box.writeFile('/workspace/abs.txt', 'absolute\n');
    expect(await box.readFile('abs.txt')).toBe('absolute\n');
    const owner = await box.exec(['stat', '-c', '%u:%g', 'new/dir/big.txt', 'new'], { timeoutMs: 10_000 });
    expect(owner.stdout).toBe('1000:1000\n1000:1000\n');
    await expect(box.readFile('missing.txt')).rejects.toThrow(/missing\.txt/);
  });

  it('refuses writes and reads the sandbox user may not do', async () => {
    // the root filesystem is read-only, and root-owned besides
    await expect(box.writeFile('/etc/evil.conf', 'x')).rejects.toThrow(/Read-only file system/);
    await expect(box.readFile('/etc/shadow')).rejects.toThrow(/Permission denied/);
    const r = await box.exec(sh('touch /usr/bin/evil || echo refused'), { timeoutMs: 10_000 });
    expect(r.stdout).toBe('refused\n');
  });

  it('has no network', async () => {
    const script = [
      'import socket',
      'try:',
      '    socket.create_connection(("1.1.1.1", 80), timeout=3)',
      '    print("connected")',
      'except OSError as e:',
      '    print("blocked", type(e).__name__)',
    ].join('\n');
    const r = await box.exec(['python3', '-c', script], { timeoutMs: 20_000 });
    expect(r.stdout).toMatch(/^blocked /);
    expect((await box.exec(['ls', '/sys/class/net'], { timeoutMs: 10_000 })).stdout.trim()).toBe('lo');
  });

  it('kills a command that never ends, inside the container', async () => {
    const r = await box.exec(sh('sleep 1000 & sleep 1000'), { timeoutMs: 1_000 });
    expect(r).toMatchObject({ timedOut: true, exitCode: 137 });
    const ps = await box.exec(['ps', '-eo', 'args'], { timeoutMs: 10_000 });
    expect(ps.stdout).not.toContain('sleep 1000');
  });

  it('caps huge output, keeping head and tail and marking the cut', async () => {
    const r = await box.exec(sh('yes | head -c 10000000; echo; echo THE-END'), {
      timeoutMs: 30_000,
      maxOutputBytes: 4096,
    });
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(r.stdout.startsWith('y\ny\n')).toBe(true);
    expect(r.stdout.endsWith('THE-END\n')).toBe(true);
    expect(r.stdout).toContain(`[... ${10_000_000 + 9 - 4096} bytes omitted ...]`);
  });

  it('survives endless output without buffering it', async () => {
    const before = process.memoryUsage().rss;
    const r = await box.exec(['yes', 'endless'], { timeoutMs: 2_000, maxOutputBytes: 1000 });
    expect(r.timedOut).toBe(true);
    expect(r.truncated).toBe(true);
    const omitted = Number(/\[\.\.\. (\d+) bytes omitted/.exec(r.stdout)?.[1]);
    expect(omitted).toBeGreaterThan(1_000_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(omitted);
  });

  it('stops waiting when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = box.exec(['sleep', '30'], { timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user pressed Ctrl-C')), 300);
    await expect(pending).rejects.toThrow('user pressed Ctrl-C');
  });

  it('contains a fork bomb with the pids limit and a memory hog with the memory limit', async () => {
    const bomb = await box.exec(['bash', '-c', 'bomb() { bomb | bomb & }; bomb; sleep 2'], {
      timeoutMs: 4_000,
    });
    expect(bomb.stderr).toMatch(/fork: .*Resource temporarily unavailable/);
    const events = await box.exec(
      sh('cat /sys/fs/cgroup/pids/pids.events 2>/dev/null || cat /sys/fs/cgroup/pids.events'),
      { timeoutMs: 10_000 },
    );
    // The kernel refused forks at the limit ("max <count of refusals>").
    expect(Number(/^max (\d+)/m.exec(events.stdout)?.[1])).toBeGreaterThan(0);
    const hog = await box.exec(
      ['python3', '-c', 'blocks = []\nwhile True: blocks.append(bytearray(16 << 20))'],
      {
        timeoutMs: 60_000,
      },
    );
    expect(hog).toMatchObject({ exitCode: 137, timedOut: false });
    // The sandbox, the engine and the host carry on.
    const after = await box.exec(['ps', '-eo', 'args', '--no-headers'], { timeoutMs: 10_000 });
    expect(after.exitCode).toBe(0);
    expect(after.stdout).not.toContain('bomb');
    expect(after.stdout).not.toContain('python3');
    await expect(docker.ping()).resolves.toBeTruthy();
  });

  it('caps what a sandbox writes at limits.diskMb, and nothing it writes reaches the engine disk', async () => {
    const run = `${runId}-disk`;
    const small = await provider.create(
      spec({
        labels: { 'turnbench.run': run },
        limits: { memoryMb: 256, cpus: 1, pids: 64, diskMb: 16 },
        files: [{ path: 'given.txt', content: 'given\n' }],
      }),
    );
    try {
      // The workspace and HOME are 16 MB filesystems: 200 MB stops at the cap with ENOSPC.
      const fill = await small.exec(
        sh(
          'for d in . "$HOME"; do head -c 200000000 /dev/zero > "$d/big.bin"; echo "exit=$?"; done; ' +
            'df -k . "$HOME" | tail -n 2 | awk \'{print $2}\'; cat given.txt',
        ),
        { timeoutMs: 30_000 },
      );
      const lines = fill.stdout.trim().split('\n');
      // ENOSPC (exit 1) where other files took room first, else the per-file cap (SIGXFSZ, 153)
      for (const line of lines.slice(0, 2)) expect(['exit=1', 'exit=153']).toContain(line);
      expect(lines.slice(2, 4).map(Number)).toEqual([16 * 1024, 16 * 1024]);
      expect(fill.stderr).toMatch(/No space left on device|File size limit exceeded/);
      expect(lines[4]).toBe('given');
      // Everywhere else the root filesystem is read-only.
      const elsewhere = await small.exec(
        sh('for d in /var/tmp /opt /etc; do echo x > $d/f 2>&1 || echo "refused $d"; done'),
        {
          timeoutMs: 10_000,
        },
      );
      expect(elsewhere.stdout).toBe('refused /var/tmp\nrefused /opt\nrefused /etc\n');
      expect(elsewhere.stderr).toContain('Read-only file system');
      // The engine's record of the container's writable layer: nothing was written to it.
      const container = docker.getContainer(small.id);
      const inspectWithSize = container.inspect as (opts: { size: boolean }) => Promise<{ SizeRw?: number }>;
      const info = await inspectWithSize.call(container, { size: true });
      expect(info.SizeRw).toBeTypeOf('number');
      expect(info.SizeRw ?? Number.POSITIVE_INFINITY).toBeLessThan(1024 * 1024);
      // The sandbox goes on working.
      expect(
        (await small.exec(sh('rm big.bin && echo ok > after.txt && cat after.txt'), { timeoutMs: 10_000 }))
          .stdout,
      ).toBe('ok\n');
      await expect(small.writeFile('huge.txt', 'x'.repeat(17 * 1024 * 1024))).rejects.toThrow(/cannot write/);
    } finally {
      await small.destroy();
    }
  });

  it('ends every process the sandbox user left behind, and PID 1 is out of its reach', async () => {
    const run = `${runId}-procs`;
    const other = await provider.create(
      spec({ labels: { 'turnbench.run': run }, files: [{ path: 'f.txt', content: 'x' }] }),
    );
    try {
      // A process that left the command's process group (setsid) survives the command's timeout ...
      await other.exec(
        sh(
          'setsid sh -c "while :; do sleep 0.2; done" >/dev/null 2>&1 < /dev/null & sleep 0.5; echo started',
        ),
        {
          timeoutMs: 5_000,
        },
      );
      const before = await other.exec(sh('ps -eo user=,args= | grep -c "[w]hile"'), { timeoutMs: 5_000 });
      expect(before.stdout.trim()).toBe('1');
      // ... the agent cannot stop its own container (PID 1 and its sleep belong to root) ...
      const kill1 = await other.exec(sh('kill -9 1 2>&1; kill -9 -1 2>/dev/null; echo after'), {
        timeoutMs: 5_000,
      });
      expect(kill1.stdout).toContain('Operation not permitted');
      // ... and endProcesses ends what is left, even a workspace locked with chmod 000.
      await other.exec(
        sh('setsid sh -c "while :; do sleep 0.2; done" >/dev/null 2>&1 < /dev/null & sleep 0.5; chmod 000 .'),
        {
          timeoutMs: 5_000,
        },
      );
      await other.endProcesses();
      const after = await other.exec(sh('ps -eo user=,args='), { timeoutMs: 5_000 });
      expect(after.stdout).not.toContain('while');
      expect(after.stdout).toMatch(/^root .*docker-init/m);
      expect((await other.exec(['cat', 'f.txt'], { timeoutMs: 5_000 })).stdout).toBe('x');
    } finally {
      await other.destroy();
    }
  });

  it('putFiles replaces what the agent left at those paths: an edited file, a link, a folder', async () => {
    const run = `${runId}-put`;
    const other = await provider.create(
      spec({ labels: { 'turnbench.run': run }, files: [{ path: 'tests/test_a.py', content: 'original\n' }] }),
    );
    try {
      await other.exec(
        sh(
          'echo forged > tests/test_a.py; chmod 444 tests/test_a.py; ln -s /etc/passwd link.txt; mkdir -p dir.txt/x; chmod 000 dir.txt',
        ),
        { timeoutMs: 5_000 },
      );
      await other.putFiles([
        { path: 'tests/test_a.py', content: 'original\n' },
        { path: 'link.txt', content: 'plain\n' },
        { path: 'dir.txt', content: 'a file\n', mode: 0o600 },
      ]);
      const r = await other.exec(
        sh('cat tests/test_a.py link.txt dir.txt; stat -c "%F %a" link.txt dir.txt'),
        {
          timeoutMs: 5_000,
        },
      );
      expect(r.stdout).toBe('original\nplain\na file\nregular file 644\nregular file 600\n');
    } finally {
      await other.destroy();
    }
  });

  it('creates a working directory the image does not have, owned by the sandbox user', async () => {
    const other = await provider.create(
      spec({ workdir: '/home/agent/project', files: [{ path: 'src/main.py', content: 'print(6 * 7)\n' }] }),
    );
    try {
      const r = await other.exec(sh('stat -c "%u %n" . src src/main.py; python3 src/main.py; pwd'), {
        timeoutMs: 10_000,
      });
      expect(r.stdout).toBe('1000 .\n1000 src\n1000 src/main.py\n42\n/home/agent/project\n');
      expect(other.workdir).toBe('/home/agent/project');
    } finally {
      await other.destroy();
    }
  });

  it('destroy removes the container and can be called again', async () => {
    const run = `${runId}-destroy`;
    const one = await provider.create(spec({ labels: { 'turnbench.run': run } }));
    expect(await containersOf(run)).toHaveLength(1);
    await one.destroy();
    await one.destroy();
    expect(await containersOf(run)).toHaveLength(0);
  });

  it('removeByLabels removes every container of a run, and only those', async () => {
    const run = `${runId}-clean`;
    await provider.create(spec({ labels: { 'turnbench.run': run } }));
    await provider.create(spec({ labels: { 'turnbench.run': run } }));
    expect(await provider.removeByLabels({ 'turnbench.run': run })).toBe(2);
    expect(await containersOf(run)).toHaveLength(0);
    expect(await containersOf(runId)).toHaveLength(1);
  });

  it('creates nothing when aborted before creation and refuses a spec without a run label', async () => {
    const run = `${runId}-abort`;
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(
      provider.create(spec({ labels: { 'turnbench.run': run } }), controller.signal),
    ).rejects.toThrow('cancelled');
    await expect(provider.create(spec({ labels: {} }))).rejects.toThrow(/turnbench\.run/);
    expect(await containersOf(run)).toHaveLength(0);
  });

  it('refuses task files that escape the working directory', async () => {
    await expect(provider.create(spec({ files: [{ path: '../etc/passwd', content: 'x' }] }))).rejects.toThrow(
      /inside the working directory/,
    );
  });

  it('names a missing image clearly', async () => {
    await expect(provider.ensureImage({ kind: 'named', name: 'turnbench/does-not-exist:1' })).rejects.toThrow(
      /turnbench\/does-not-exist:1/,
    );
    expect(await provider.ensureImage({ kind: 'named', name: image })).toBe(image);
  });

  it('builds a task Dockerfile once, tagged by its context, and reports build failures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tb-ctx-'));
    try {
      await writeFile(join(dir, 'marker.txt'), `${runId}\n`);
      await writeFile(
        join(dir, 'Dockerfile'),
        'FROM turnbench/base:latest\nUSER root\nCOPY marker.txt /opt/marker.txt\nUSER 1000:1000\n',
      );
      const lines: string[] = [];
      const tag = await provider.ensureImage(
        { kind: 'dockerfile', dockerfile: 'Dockerfile', contextDir: dir },
        (l) => lines.push(l),
      );
      expect(tag).toMatch(/^turnbench\/task-tb-ctx-[a-z0-9]+:[0-9a-f]{12}$/);
      expect(lines.some((l) => l.includes('COPY marker.txt'))).toBe(true);
      const again = await new DockerSandboxProvider({ docker }).ensureImage(
        { kind: 'dockerfile', dockerfile: join(dir, 'Dockerfile'), contextDir: dir },
        () => {},
      );
      expect(again).toBe(tag);
      const sb = await provider.create(spec({ image: tag }));
      expect(await sb.readFile('/opt/marker.txt')).toBe(`${runId}\n`);
      await sb.destroy();
      await docker.getImage(tag).remove();

      await writeFile(
        join(dir, 'Dockerfile'),
        'FROM turnbench/base:latest\nRUN echo failing-step && false\n',
      );
      await expect(
        provider.ensureImage({ kind: 'dockerfile', dockerfile: 'Dockerfile', contextDir: dir }),
      ).rejects.toThrow(/Dockerfile failed: .*non-zero code/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
