// Writes dist/pricing.json: the shipped pricing.yaml parsed, with the SHA-256 of the text it was
// parsed from. A run reads the JSON instead of parsing the YAML (~20-30 ms of a short run's start,
// issue 13), but only while the hash matches the YAML beside it (src/config/pricing.ts), so an
// edited pricing.yaml is read as YAML until the next build. The run validates what it reads either way.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const text = readFileSync(join(root, 'pricing.yaml'), 'utf8');
const compiled = {
  source_sha256: createHash('sha256').update(text).digest('hex'),
  pricing: parse(text),
};
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', 'pricing.json'), `${JSON.stringify(compiled)}\n`);
