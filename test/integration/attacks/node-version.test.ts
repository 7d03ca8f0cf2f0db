import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIN_NODE_MAJOR, nodeTooOld } from '../../../src/cli/node-version.js';
import { assertBuilt, CLI, REPO } from '../cli/helpers.js';

/**
 * Finding 13 of issue 12: the CLI ran on Node 20 although package.json says >=22. The entry now
 * checks the version before it imports anything else. The real attack needs an old Node: the
 * Debian `nodejs` package (/usr/bin/node) when it is older than 22.
 */

function oldNode(): { path: string; version: string } | null {
  for (const path of ['/usr/bin/node', '/usr/local/bin/node', '/usr/bin/nodejs']) {
    if (!existsSync(path)) continue;
    const version = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    if (Number.parseInt(version, 10) < MIN_NODE_MAJOR) return { path, version };
  }
  return null;
}

const old = oldNode();

describe('the Node version (issue 12, finding 13)', () => {
  it('names the version found and the one needed', () => {
    expect(nodeTooOld('20.20.2')).toMatch(/^turnbench needs Node 22 or newer; this is Node 20\.20\.2/);
    expect(nodeTooOld('22.0.0')).toBeNull();
    expect(nodeTooOld('24.21.0')).toBeNull();
    expect(nodeTooOld('garbage')).not.toBeNull();
    const pkg = JSON.parse(readFileSync(`${REPO}/package.json`, 'utf8')) as { engines: { node: string } };
    const engines = pkg.engines.node;
    expect(engines).toBe(`>=${MIN_NODE_MAJOR}`);
  });

  it.skipIf(old === null)(
    `a real old Node (${old?.path} ${old?.version}): exit 2 with one line, whatever the command`,
    () => {
      assertBuilt();
      for (const args of [['--help'], ['run', 'tasks/demo/suite.yaml'], ['history']]) {
        const r = spawnSync(old!.path, [CLI, ...args], { cwd: REPO, encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(
          `error: turnbench needs Node 22 or newer; this is Node ${old!.version} (\`source scripts/setup.sh\` puts Node 24 on PATH)\n`,
        );
      }
    },
  );
});
