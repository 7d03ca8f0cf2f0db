import * as z from 'zod';
import { SandboxUnavailableError } from '../../sandbox/types.js';
import { defineTool, errorMessage } from './define-tool.js';
import { fileOp } from './sandbox-files.js';
import { failure, success } from './types.js';

const DEFAULT_LIMIT = 2000;
const MAX_LINE_CHARS = 500;

const ReadFileArgs = z
  .object({
    path: z.string().min(1).describe('Path of the file, relative to the workspace root or absolute.'),
    offset: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('The 1-based line number to start reading from (default 1).'),
    limit: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(`The maximum number of lines to return (default ${DEFAULT_LIMIT}).`),
  })
  .strict();

export const readFileTool = defineTool({
  name: 'read_file',
  description:
    'Reads a text file and returns its lines prefixed with their 1-based line numbers (`L12: ...`). ' +
    'Use offset and limit to page through large files; long lines and long outputs are cut.',
  schema: ReadFileArgs,
  async handler(args, ctx) {
    let content: string;
    try {
      content = await ctx.sandbox.readFile(args.path, fileOp(ctx));
    } catch (err) {
      if (err instanceof SandboxUnavailableError) throw err;
      return failure('sandbox_error', `read_file: cannot read ${args.path}: ${errorMessage(err)}`);
    }
    const page = numberedLines(content, args.offset ?? 1, args.limit ?? DEFAULT_LIMIT, ctx.maxOutputBytes);
    if (page.kind === 'past_end') {
      return failure(
        'invalid_arguments',
        `read_file: offset ${args.offset} is past the end of ${args.path} (${page.totalLines} lines)`,
      );
    }
    return success(page.text, { truncated: page.truncated });
  },
});

type Page = { kind: 'lines'; text: string; truncated: boolean } | { kind: 'past_end'; totalLines: number };

/** Pure: the numbered lines [offset, offset+limit) of `content`, within `maxBytes`. */
export function numberedLines(content: string, offset: number, limit: number, maxBytes: number): Page {
  const lines = content.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) return { kind: 'lines', text: '(empty file)', truncated: false };
  if (offset > lines.length) return { kind: 'past_end', totalLines: lines.length };

  const end = Math.min(lines.length, offset - 1 + limit);
  const out: string[] = [];
  let bytes = 0;
  let truncated = false;
  for (let i = offset - 1; i < end; i++) {
    const raw = (lines[i] ?? '').replace(/\r$/, '');
    const line = raw.length > MAX_LINE_CHARS ? `${raw.slice(0, MAX_LINE_CHARS)} [line cut]` : raw;
    truncated ||= line !== raw;
    const rendered = `L${i + 1}: ${line}`;
    const size = Buffer.byteLength(rendered) + 1;
    if (bytes + size > maxBytes && out.length > 0) {
      out.push(
        `[output cut at ${maxBytes} bytes: ${lines.length} lines in total; call read_file with offset=${i + 1} to continue]`,
      );
      return { kind: 'lines', text: out.join('\n'), truncated: true };
    }
    out.push(rendered);
    bytes += size;
  }
  if (end < lines.length) {
    out.push(`[${lines.length} lines in total; call read_file with offset=${end + 1} to continue]`);
  }
  return { kind: 'lines', text: out.join('\n'), truncated };
}
