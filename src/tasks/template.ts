import { ConfigError } from '../config/index.js';

/** Placeholders filled at run time (variant instructions, sim `repeat`): never rendered or rejected here. */
export const RUNTIME_PLACEHOLDERS: ReadonlySet<string> = new Set(['now', 'turn', 'i']);

/** `{{output.<field>}}` in sim args: a field of an earlier tool result, filled by the sim as it answers. */
const SIM_OUTPUT_PLACEHOLDER = /^output\.[A-Za-z0-9_-]+$/;

function isRuntime(name: string): boolean {
  return RUNTIME_PLACEHOLDERS.has(name) || SIM_OUTPUT_PLACEHOLDER.test(name);
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** Where a template comes from, for error messages. */
export interface TemplateSource {
  file: string;
  field: string;
  line?: number;
}

/** Names of the `{{name}}` placeholders in `text`, runtime ones excluded, in order of first use. */
export function placeholdersIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1];
    if (name !== undefined && !isRuntime(name)) names.add(name);
  }
  return [...names];
}

/**
 * Replace every `{{name}}` (spaces inside the braces allowed) with `values[name]`.
 * `{{now}}`, `{{turn}}`, `{{i}}` and `{{output.<field>}}` are left as they are. A placeholder with no value is a
 * ConfigError naming `where`.
 */
export function renderTemplate(
  text: string,
  values: Readonly<Record<string, string>>,
  where: TemplateSource,
): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (isRuntime(name)) return whole;
    const value = values[name];
    if (value === undefined) {
      throw new ConfigError({
        file: where.file,
        field: where.field,
        detail: `unknown placeholder {{${name}}}`,
        ...(where.line !== undefined ? { line: where.line } : {}),
      });
    }
    return value;
  });
}
