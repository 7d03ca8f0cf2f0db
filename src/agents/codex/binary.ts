import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as z from 'zod';

/**
 * The Codex CLI turnbench runs: `@openai/codex` from the project's own dependencies (pinned), whose
 * native build for this machine sits in an optional package (`@openai/codex-linux-x64` on x64
 * Linux). The build is a static (musl) executable, so it runs in any Linux sandbox image; its
 * folder is bind-mounted read-only into the sandbox. Nothing is downloaded at run time.
 */
const TARGETS: Record<string, { pkg: string; triple: string }> = {
  x64: { pkg: '@openai/codex-linux-x64', triple: 'x86_64-unknown-linux-musl' },
  arm64: { pkg: '@openai/codex-linux-arm64', triple: 'aarch64-unknown-linux-musl' },
};

const NativePackageSchema = z.object({ version: z.string(), target: z.string(), entrypoint: z.string() });

export interface CodexBuild {
  /** The folder bind-mounted into the sandbox (bin/codex, codex-path/rg, codex-resources). */
  dir: string;
  /** Relative to `dir`. */
  entrypoint: string;
  version: string;
}

export class CodexUnavailableError extends Error {
  override name = 'CodexUnavailableError';
}

export function findCodexBuild(): CodexBuild {
  const target = TARGETS[process.arch];
  if (process.platform !== 'linux' || !target) {
    throw new CodexUnavailableError(
      `agent: codex runs Codex's Linux build inside the sandbox; there is none for ${process.platform}/${process.arch}`,
    );
  }
  const require = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${target.pkg}/package.json`);
  } catch {
    throw new CodexUnavailableError(
      `agent: codex needs ${target.pkg} (an optional dependency of @openai/codex); reinstall with \`npm ci\``,
    );
  }
  const dir = join(dirname(pkgJson), 'vendor', target.triple);
  const manifest = join(dir, 'codex-package.json');
  if (!existsSync(manifest))
    throw new CodexUnavailableError(`agent: codex: ${manifest} is missing; reinstall with \`npm ci\``);
  const parsed = NativePackageSchema.safeParse(JSON.parse(readFileSync(manifest, 'utf8')));
  if (!parsed.success)
    throw new CodexUnavailableError(`agent: codex: ${manifest} is not a Codex package manifest`);
  if (!existsSync(join(dir, parsed.data.entrypoint))) {
    throw new CodexUnavailableError(
      `agent: codex: ${join(dir, parsed.data.entrypoint)} is missing; reinstall with \`npm ci\``,
    );
  }
  return { dir, entrypoint: parsed.data.entrypoint, version: parsed.data.version };
}
