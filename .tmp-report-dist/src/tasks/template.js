import { ConfigError } from '../config/index.js';
/** Placeholders filled at run time (variant instructions, sim `repeat`): never rendered or rejected here. */
export const RUNTIME_PLACEHOLDERS = new Set(['now', 'turn', 'i']);
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
/** Names of the `{{name}}` placeholders in `text`, runtime ones excluded, in order of first use. */
export function placeholdersIn(text) {
    const names = new Set();
    for (const match of text.matchAll(PLACEHOLDER)) {
        const name = match[1];
        if (name !== undefined && !RUNTIME_PLACEHOLDERS.has(name))
            names.add(name);
    }
    return [...names];
}
/**
 * Replace every `{{name}}` (spaces inside the braces allowed) with `values[name]`.
 * `{{now}}`, `{{turn}}` and `{{i}}` are left as they are. A placeholder with no value is a
 * ConfigError naming `where`.
 */
export function renderTemplate(text, values, where) {
    return text.replace(PLACEHOLDER, (whole, name) => {
        if (RUNTIME_PLACEHOLDERS.has(name))
            return whole;
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
//# sourceMappingURL=template.js.map