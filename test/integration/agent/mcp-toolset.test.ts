import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpToolset, type ToolsChange } from '../../../src/agent/mcp/index.js';
import { McpServerSchema, type McpServerSpec } from '../../../src/config/index.js';
import { hostMcpRuntime, sandboxMcpRuntime } from '../../../src/runner/mcp-runtime.js';
import {
  DockerSandboxProvider,
  LocalSandboxProvider,
  type Sandbox,
  type SandboxProvider,
  type SandboxSpec,
} from '../../../src/sandbox/index.js';
import { dockerTestsEnabled } from '../sandbox/docker-engine.js';

const execFileAsync = promisify(execFile);
const docker = new Dockerode();
const dockerEnabled = await dockerTestsEnabled(docker);
const runId = `test-mcp-${randomUUID().slice(0, 8)}`;

const notes = (changeAfter: number, extra: Partial<McpServerSpec> = {}): McpServerSpec =>
  McpServerSchema.parse({
    name: 'notes',
    builtin: 'notes',
    args: ['--change-after', String(changeAfter)],
    ...extra,
  });

const call = { timeoutMs: 20_000, maxOutputBytes: 16_384 };

function spec(image: string, mounts: SandboxSpec['mounts']): SandboxSpec {
  return {
    image,
    workdir: '/workspace',
    files: [],
    labels: { 'turnbench.run': runId },
    limits: { memoryMb: 512, cpus: 1, pids: 128 },
    network: false,
    ...(mounts && mounts.length > 0 ? { mounts } : {}),
  };
}

async function open(
  sandbox: Sandbox,
  runtime: ReturnType<typeof sandboxMcpRuntime>['runtime'],
  policy: 'rebuild' | 'append' | 'defer',
  servers: McpServerSpec[] = [notes(3)],
  hostDir = tmpdir(),
) {
  const changes: ToolsChange[] = [];
  const toolset = await McpToolset.open({
    servers,
    launch: { sandbox, sandboxRuntime: runtime, hostRuntime: hostMcpRuntime(), hostDir },
    layout: 'codex',
    policy,
    onChange: (c) => changes.push(c),
    onServer: () => {},
  });
  return { toolset, changes };
}

const names = (toolset: McpToolset) => toolset.definitions().map((d) => d.name);
const BEFORE = ['mcp__notes__add_note', 'mcp__notes__count_notes', 'mcp__notes__list_notes'];

async function addThree(toolset: McpToolset): Promise<void> {
  for (const text of ['one', 'two', 'three']) {
    const out = await toolset.call('mcp__notes__add_note', JSON.stringify({ text }), call);
    expect(out.ok, out.output).toBe(true);
  }
  await toolset.settle();
}

/** The policies' promises on the tools list, with the notes server in a (local) sandbox. */
describe('MCP tools list policies (local sandbox)', () => {
  const provider: SandboxProvider = new LocalSandboxProvider();
  const { runtime } = sandboxMcpRuntime('local');
  const boxes: Sandbox[] = [];
  const box = async () => {
    const b = await provider.create(spec('local', []));
    boxes.push(b);
    return b;
  };
  afterAll(async () => {
    await Promise.all(boxes.map((b) => b.destroy()));
  });

  it('rebuild: re-lists and re-sorts at once; a removed tool is gone', async () => {
    const { toolset, changes } = await open(await box(), runtime, 'rebuild');
    try {
      expect(names(toolset)).toEqual(BEFORE);
      await addThree(toolset);
      expect(names(toolset)).toEqual([
        'mcp__notes__add_note',
        'mcp__notes__list_notes',
        'mcp__notes__search_notes',
      ]);
      expect(changes).toEqual([
        expect.objectContaining({
          server: 'notes',
          added: ['mcp__notes__search_notes'],
          removed: ['mcp__notes__count_notes'],
          applied: 'now',
        }),
      ]);
      expect(toolset.handles('mcp__notes__count_notes')).toBe(false);
      const search = await toolset.call('mcp__notes__search_notes', '{"query":"tw"}', call);
      expect(search).toMatchObject({ ok: true, output: '2. two' });
      toolset.compacted();
      expect(changes).toHaveLength(1); // nothing held back
    } finally {
      await toolset.close();
    }
  });

  it('append: new tools at the end, removed ones listed and answered with an error until the compaction', async () => {
    const { toolset, changes } = await open(await box(), runtime, 'append');
    try {
      await addThree(toolset);
      expect(names(toolset)).toEqual([...BEFORE, 'mcp__notes__search_notes']);
      expect(changes[0]).toMatchObject({ applied: 'appended', removed: ['mcp__notes__count_notes'] });
      const removed = await toolset.call('mcp__notes__count_notes', '{}', call);
      expect(removed).toMatchObject({ ok: false, error: 'unknown_tool' });
      expect(removed.output).toMatch(
        /removed by its MCP server "notes".*until the conversation is compacted/,
      );
      toolset.compacted();
      expect(names(toolset)).toEqual([
        'mcp__notes__add_note',
        'mcp__notes__list_notes',
        'mcp__notes__search_notes',
      ]);
      expect(changes[1]).toMatchObject({
        server: null,
        applied: 'at_compaction',
        removed: ['mcp__notes__count_notes'],
      });
    } finally {
      await toolset.close();
    }
  });

  it('defer: nothing changes until the compaction; a new tool cannot be called before', async () => {
    const { toolset, changes } = await open(await box(), runtime, 'defer');
    try {
      await addThree(toolset);
      expect(names(toolset)).toEqual(BEFORE);
      expect(changes[0]).toMatchObject({ applied: 'deferred', added: ['mcp__notes__search_notes'] });
      const early = await toolset.call('mcp__notes__search_notes', '{"query":"one"}', call);
      expect(early).toMatchObject({ ok: false, error: 'unknown_tool' });
      expect(early.output).toMatch(/not in this conversation's tool list yet/);
      toolset.compacted();
      expect(names(toolset)).toEqual([
        'mcp__notes__add_note',
        'mcp__notes__list_notes',
        'mcp__notes__search_notes',
      ]);
      expect(changes[1]).toMatchObject({
        applied: 'at_compaction',
        added: ['mcp__notes__search_notes'],
        removed: ['mcp__notes__count_notes'],
      });
      expect(await toolset.call('mcp__notes__search_notes', '{"query":"one"}', call)).toMatchObject({
        ok: true,
      });
    } finally {
      await toolset.close();
    }
  });

  it('answers bad arguments and tool errors as outcomes, never throws', async () => {
    const { toolset } = await open(await box(), runtime, 'rebuild');
    try {
      expect(await toolset.call('mcp__notes__add_note', '{"text": ', call)).toMatchObject({
        ok: false,
        error: 'invalid_arguments',
      });
      expect(await toolset.call('mcp__notes__add_note', '[1]', call)).toMatchObject({
        ok: false,
        error: 'invalid_arguments',
      });
      // the server validates its own schema: an empty note is its error, reported to the model
      const empty = await toolset.call('mcp__notes__add_note', '{"text": ""}', call);
      expect(empty.ok).toBe(false);
      expect(empty.output).toMatch(/text/);
    } finally {
      await toolset.close();
    }
  });

  it('runs a task server on the host, in the task folder, when the task says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tb-mcp-host-'));
    try {
      const { toolset } = await open(await box(), runtime, 'rebuild', [notes(0, { run_on: 'host' })], dir);
      try {
        expect(await toolset.call('mcp__notes__add_note', '{"text":"on the host"}', call)).toMatchObject({
          ok: true,
        });
      } finally {
        await toolset.close();
      }
      expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('on the host\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails to open, naming the server, when a server does not start', async () => {
    const broken = McpServerSchema.parse({ name: 'broken', command: ['sh', '-c', 'echo boom >&2; exit 3'] });
    await expect(open(await box(), runtime, 'rebuild', [broken])).rejects.toThrow(
      /MCP server "broken" did not start.*boom/,
    );
  });
});

describe.skipIf(!dockerEnabled)('MCP server inside a Docker sandbox', () => {
  const provider = new DockerSandboxProvider({ docker });
  let image = '';
  beforeAll(async () => {
    image = await provider.ensureImage({ kind: 'base' });
  });
  afterAll(async () => {
    await provider.removeByLabels({ 'turnbench.run': runId });
  });

  it('serves tools from inside the container, keeps its side effects there, and goes with the container', async () => {
    const { runtime, mounts } = sandboxMcpRuntime('docker');
    const sandbox = await provider.create(spec(image, mounts));
    const { toolset } = await open(sandbox, runtime, 'rebuild', [notes(0)]);
    const cwdBefore = existsSync(join(process.cwd(), 'notes.txt'));
    try {
      expect(names(toolset)).toEqual(BEFORE);
      expect(await toolset.call('mcp__notes__add_note', '{"text":"in the box"}', call)).toMatchObject({
        ok: true,
      });
      // the note went to the sandbox's working directory, written by the sandbox user
      expect(await sandbox.readFile('notes.txt')).toBe('in the box\n');
      const owner = await sandbox.exec(['stat', '-c', '%u', 'notes.txt'], { timeoutMs: 10_000 });
      expect(owner.stdout.trim()).toBe('1000');
      expect(existsSync(join(process.cwd(), 'notes.txt'))).toBe(cwdBefore);

      // the server is a process of the container
      const top = await execFileAsync('docker', ['top', sandbox.id, '-o', 'pid,args']);
      expect(top.stdout).toMatch(/\/opt\/turnbench\/bin\/node \/opt\/turnbench\/mcp-servers\/notes\.mjs/);

      await sandbox.destroy();
      // gone with the container: the container does not exist, and a call fails as an outcome
      await expect(docker.getContainer(sandbox.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
      const after = await toolset.call('mcp__notes__list_notes', '{}', call);
      expect(after).toMatchObject({ ok: false, error: 'sandbox_error' });
    } finally {
      await toolset.close();
      await sandbox.destroy();
    }
  });
});
