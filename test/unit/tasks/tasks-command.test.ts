import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerTasksCommand } from '../../../src/cli/commands/tasks.js';
import { ConfigError } from '../../../src/config/index.js';
import { fixtures, scratchDir } from './helpers.js';

function program(): Command {
  const p = new Command().exitOverride();
  registerTasksCommand(p);
  return p;
}

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program().parseAsync(['tasks', ...args], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('turnbench tasks', () => {
  it('prints one JSON object with the expanded tasks and the sample count', async () => {
    const out = await run([path.join(fixtures, 'valid/suite.yaml'), '--json']);
    const listing = JSON.parse(out);
    expect(listing.suite).toBe('valid');
    expect(listing.variants).toEqual(['stable', 'unstable']);
    expect(listing.samples).toBe(8);
    expect(listing.tasks).toHaveLength(2);
    expect(listing.tasks[0]).toMatchObject({
      id: 'alpha',
      image: 'dockerfile:tasks/alpha/Dockerfile',
      scorer: 'command',
      tags: ['files', 'fix'],
      files: 4,
    });
    expect(listing.tasks[0].limits.max_turns).toBe(5);
    expect(listing.tasks[1]).toMatchObject({ id: 'beta', image: 'turnbench-custom:1', scorer: 'match' });
  });

  it('prints a table and the sample arithmetic on a terminal', async () => {
    const out = await run([path.join(fixtures, 'valid/suite.yaml')]);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^suite valid \(.*valid\/suite\.yaml\)$/);
    expect(lines[1]).toMatch(/^TASK\s+IMAGE\s+SCORER\s+TURNS\s+TOKENS\s+WALL\s+TAGS$/);
    expect(lines[2]).toMatch(
      /^alpha\s+dockerfile:tasks\/alpha\/Dockerfile\s+command\s+5\s+4000000\s+120s\s+files,fix$/,
    );
    expect(lines[3]).toMatch(/^beta\s+turnbench-custom:1\s+match\s+20\s+1000\s+120s$/);
    expect(lines.at(-1)).toBe('2 tasks x 2 variants (stable, unstable) x 2 epochs = 8 samples');
  });

  it('throws the ConfigError of a broken task for main to print', async () => {
    const { dir, cleanup } = await scratchDir({
      'suite.yaml': `name: s\ntasks: [${JSON.stringify(path.join(fixtures, 'bad-type'))}]\nvariants: [{name: v, instructions: x}]\n`,
    });
    try {
      const error = await run([path.join(dir, 'suite.yaml')]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(
        /bad-type\/task\.yaml:4: limits\.max_turns: expected number/,
      );
    } finally {
      await cleanup();
    }
  });
});
