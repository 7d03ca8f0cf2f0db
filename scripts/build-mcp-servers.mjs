// Bundles the MCP servers turnbench ships into one file each (dist/mcp-servers/<name>.mjs), so a
// server runs inside a sandbox that has Node (turnbench mounts its own, read-only) and nothing else.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const outdir = join(root, 'dist/mcp-servers');
mkdirSync(outdir, { recursive: true });

const servers = {
  notes: join(root, 'src/mcp-servers/notes.ts'),
  // The reference filesystem server from npm, unchanged.
  filesystem: require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js'),
};

await build({
  entryPoints: servers,
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  logLevel: 'warning',
  legalComments: 'none',
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: { js: "import { createRequire as __tbRequire } from 'node:module'; const require = __tbRequire(import.meta.url);" },
});
