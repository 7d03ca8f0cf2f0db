// Bundles the compiled CLI program (dist/src/cli/program.js) into dist/src/bundle/: a run loads a
// few chunk files instead of ~600 modules, and resolving, linking and evaluating each module was
// most of a short run's start-up (issue 13). Dynamically imported parts (Docker, agents, reports,
// OpenTelemetry, ...) become chunks of their own, loaded only by the commands that need them.
//
// dist/src/cli/main.js loads the bundle only when it is at least as new as the tsc output it was
// built from (see src/cli/program-entry.ts), so a tsc-only build never runs a stale bundle.
//
// The bundle sits at the same depth as dist/src/<dir>/, so code that finds the package root by
// walking up from import.meta.url works unchanged. The recording thread's worker is an entry of its
// own, named as record-thread.ts asks for it (`./record-worker.js` next to the code that starts it).
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The folder may be given (tests build elsewhere); the CLI loads only dist/src/bundle.
const outdir = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist/src/bundle');
/** Chunks of earlier builds are kept this long: a CLI still running loads its chunks on demand. */
const KEEP_OLD_CHUNKS_MS = 24 * 3600 * 1000;

/** Whether Node loads `file` as CommonJS: `.cjs`, or `.js` under a package.json without "type": "module". */
function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
}

/**
 * `await import('pkg')` of a CommonJS package: Node gives its named exports (found by
 * cjs-module-lexer), a bundle only `default`, so `const { create } = await import('xmlbuilder2')`
 * would get undefined. Such imports stay packages that Node loads itself.
 */
const commonJsDynamicImportsExternal = {
  name: 'commonjs-dynamic-imports-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.pluginData?.probing) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: { probing: true },
      });
      if (resolved.errors.length > 0 || resolved.external) return undefined;
      return isCommonJs(resolved.path) ? { path: args.path, external: true } : undefined;
    });
  },
};

const result = await build({
  entryPoints: {
    program: join(root, 'dist/src/cli/program.js'),
    'record-worker': join(root, 'dist/src/agents/proxy/record-worker.js'),
  },
  outdir,
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  logLevel: 'warning',
  legalComments: 'none',
  metafile: true,
  plugins: [commonJsDynamicImportsExternal],
  // Left as packages: native or optional native parts (dockerode's ssh2), files found at run time
  // (the Codex binary, chart.js, gpt-tokenizer's tables), and big parts few commands load.
  external: [
    'dockerode',
    'docker-modem',
    'ssh2',
    'cpu-features',
    '@openai/codex',
    '@openai/codex-*',
    'chart.js',
    'gpt-tokenizer',
    '@opentelemetry/*',
    '@modelcontextprotocol/*',
  ],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __tbRequire } from 'node:module'; const require = __tbRequire(import.meta.url);",
  },
});

// Chunk names carry a content hash, so a rebuild writes new files next to the old ones; a run that
// started before the rebuild still finds the chunks it loads late (reports, say). Old chunks go
// once no run is likely to need them.
const written = new Set(Object.keys(result.metafile.outputs).map((file) => join(root, file)));
for (const name of readdirSync(outdir)) {
  const file = join(outdir, name);
  if (!written.has(file) && Date.now() - statSync(file).mtimeMs > KEEP_OLD_CHUNKS_MS)
    rmSync(file, { force: true });
}
