import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * SchemaStore's github-workflow.json and github-action.json as an npm package ships them.
 * No package publishes the two files on their own; @action-validator/core (a GitHub action and
 * workflow validator compiled to WebAssembly) embeds both verbatim in its .wasm data, where
 * they are found by their `$id` and read out as the JSON text they are.
 */
const require = createRequire(import.meta.url);
const WASM = join(
  dirname(require.resolve('@action-validator/core/package.json')),
  'action_validator_bg.wasm',
);

export type SchemaStoreName = 'github-workflow' | 'github-action';

/** The JSON object that starts at `start` (a `{`), read with string and escape awareness. */
function jsonObjectAt(text: string, start: number): string {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  throw new Error('unterminated JSON object');
}

export function schemaStoreSchema(name: SchemaStoreName): Record<string, unknown> {
  // latin1 keeps one character per byte, so offsets in the text are offsets in the file.
  const data = readFileSync(WASM).toString('latin1');
  const id = `"$id": "https://json.schemastore.org/${name}.json"`;
  const at = data.indexOf(id);
  if (at === -1) throw new Error(`${name}.json is not in ${WASM}`);
  const start = data.lastIndexOf('{\n  "$comment"', at);
  if (start === -1) throw new Error(`the start of ${name}.json was not found`);
  const schema = JSON.parse(Buffer.from(jsonObjectAt(data, start), 'latin1').toString('utf8')) as Record<
    string,
    unknown
  >;
  if (schema.$id !== `https://json.schemastore.org/${name}.json`)
    throw new Error(`read the wrong object for ${name}`);
  return schema;
}
