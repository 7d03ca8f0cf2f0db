import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { core, ZodError, ZodType } from 'zod';
import { ConfigError } from './errors.js';
import { parseOptions } from './parse-once.js';
import { readUtf8File } from './read-text.js';

type Issue = core.$ZodIssue;
type PathSegment = PropertyKey;

/** A parsed, validated YAML file that can still tell where a field was written. */
export interface YamlDocument<T> {
  file: string;
  value: T;
  /** 1-based line of the field at `path` (or of its closest written parent); undefined if unknown. */
  lineOf(path: readonly PathSegment[]): number | undefined;
}

/** Read, parse and validate a YAML file; any problem is a ConfigError naming the file and the field. */
export async function readYamlFile<T>(file: string, schema: ZodType<T>): Promise<T> {
  return (await readYamlDocument(file, schema)).value;
}

export async function readYamlDocument<T>(file: string, schema: ZodType<T>): Promise<YamlDocument<T>> {
  const text = await readUtf8File(file);
  const lineCounter = new LineCounter();
  // `merge: true` allows `<<: *base` so suite files can share a variant's settings.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, merge: true });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const pos = syntaxError.linePos?.[0];
    throw new ConfigError({
      file,
      detail: yamlMessage(syntaxError.message),
      ...(pos ? { line: pos.line, col: pos.col } : {}),
    });
  }
  if (doc.contents === null) throw new ConfigError({ file, detail: 'file is empty' });

  const lineOf = (path: readonly PathSegment[]): number | undefined => {
    const offset = offsetOf(doc.contents, path);
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // yaml refuses an alias expanded past maxAliasCount (a "billion laughs" file) with a plain Error
    throw new ConfigError({
      file,
      detail: `cannot expand the file's aliases (${error instanceof Error ? error.message : String(error)})`,
    });
  }
  const parsed = schema.safeParse(raw, parseOptions(schema));
  if (!parsed.success) throw configErrorFromZod(file, parsed.error, lineOf);
  return { file, value: parsed.data, lineOf };
}

/** `['files', 2, 'from']` → `files[2].from`. */
export function formatFieldPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** The first issue of a zod error as a ConfigError (file, field path, line when known). */
export function configErrorFromZod(
  file: string,
  error: ZodError,
  lineOf?: (path: readonly PathSegment[]) => number | undefined,
): ConfigError {
  const first = error.issues[0];
  if (!first) return new ConfigError({ file, detail: 'invalid content' });
  const { path, detail } = describeIssue(first, []);
  const line = lineOf?.(path);
  return new ConfigError({
    file,
    field: path.length > 0 ? formatFieldPath(path) : null,
    detail,
    ...(line !== undefined ? { line } : {}),
  });
}

function describeIssue(
  issue: Issue,
  prefix: readonly PathSegment[],
): { path: PathSegment[]; detail: string } {
  const path = [...prefix, ...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const [firstKey, ...others] = issue.keys;
      const more =
        others.length > 0 ? ` (also unknown: ${others.map((k) => JSON.stringify(k)).join(', ')})` : '';
      return { path: firstKey === undefined ? path : [...path, firstKey], detail: `unknown key${more}` };
    }
    case 'invalid_type': {
      const received = issue.message.match(/received (\w+)/)?.[1];
      if (received === 'undefined')
        return { path, detail: `required field is missing (expected ${issue.expected})` };
      return { path, detail: stripPrefix(issue.message) };
    }
    case 'invalid_key': {
      // a record's key failed its own schema (the path already ends at the key)
      const inner = issue.issues[0];
      return { path, detail: `invalid key${inner ? `: ${stripPrefix(inner.message)}` : ''}` };
    }
    case 'invalid_union': {
      const branch = bestUnionBranch(issue.errors);
      const firstOfBranch = branch?.[0];
      // Every branch failed on the value's own type: say which types would have been accepted.
      if (
        !firstOfBranch ||
        (branch.length === 1 && firstOfBranch.path.length === 0 && isTypeIssue(firstOfBranch))
      ) {
        const expected = [
          ...new Set(issue.errors.flatMap((b) => b.filter(isTypeIssue).map((i) => i.expected))),
        ];
        const detail =
          expected.length > 0
            ? `expected ${expected.join(' or ')}`
            : stripPrefix(issue.message || 'invalid value');
        return { path, detail };
      }
      return describeIssue(firstOfBranch, path);
    }
    default:
      return { path, detail: stripPrefix(issue.message) };
  }
}

function isTypeIssue(issue: Issue): issue is core.$ZodIssueInvalidType {
  return issue.code === 'invalid_type';
}

/** The union branch that came closest: fewest issues, then issues deepest inside the value. */
function bestUnionBranch(branches: Issue[][]): Issue[] | undefined {
  const nonEmpty = branches.filter((b) => b.length > 0);
  nonEmpty.sort((a, b) => a.length - b.length || depth(b) - depth(a));
  return nonEmpty[0];
}

function depth(issues: Issue[]): number {
  return Math.max(...issues.map((i) => i.path.length));
}

function stripPrefix(message: string): string {
  return message.replace(/^Invalid input:\s*/, '');
}

function yamlMessage(message: string): string {
  const firstLine = message.split('\n')[0] ?? message;
  return firstLine.replace(/ at line \d+, column \d+:?\s*$/, '');
}

/** Source offset of the node at `path`; for a key that is not written, the offset of its closest parent. */
function offsetOf(root: unknown, path: readonly PathSegment[]): number | undefined {
  let node: unknown = root;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) break;
      // Point at the key: that is the line a user looks for, also for unknown keys.
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    return range ? range[0] : undefined;
  }
  return undefined;
}
