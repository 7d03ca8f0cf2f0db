import * as z from 'zod';
import { defineTool } from './define-tool.js';
import { writeFileWithParents } from './sandbox-files.js';
import { success } from './types.js';

const WriteFileArgs = z
  .object({
    path: z.string().min(1).describe('Path of the file, relative to the workspace root or absolute.'),
    content: z.string().describe('The full new content of the file.'),
  })
  .strict();

export const writeFileTool = defineTool({
  name: 'write_file',
  description:
    'Creates or overwrites a file with the given content, creating parent directories as needed. ' +
    'Prefer apply_patch for small edits to existing files.',
  schema: WriteFileArgs,
  async handler(args, ctx) {
    await writeFileWithParents(ctx, args.path, args.content);
    return success(`Wrote ${Buffer.byteLength(args.content)} bytes to ${args.path}`);
  },
});
