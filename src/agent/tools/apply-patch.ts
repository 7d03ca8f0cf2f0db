import * as z from 'zod';
import { SandboxUnavailableError } from '../../sandbox/types.js';
import { applyPatch, pathsToRead } from './apply-patch-apply.js';
import { PatchError, parsePatch } from './apply-patch-parse.js';
import { defineTool } from './define-tool.js';
import { deleteFile, fileOp, writeFileWithParents } from './sandbox-files.js';
import { capText } from './text-cap.js';
import { failure, success } from './types.js';

const ApplyPatchArgs = z
  .object({
    input: z.string().min(1).describe('The entire patch, from `*** Begin Patch` to `*** End Patch`.'),
  })
  .strict();

const DESCRIPTION = `Edits files with a patch. The patch format is a stripped-down diff:

*** Begin Patch
*** Add File: <path>          (new file: every following line starts with +)
*** Delete File: <path>       (remove a file)
*** Update File: <path>       (edit a file in place)
*** Move to: <path>           (optional, right after Update File: rename it)
@@ <optional line to find first, e.g. a function or class header>
 context line (starts with a space)
-removed line
+added line
*** End of File               (optional: the hunk is at the end of the file)
*** End Patch

Show about 3 lines of unchanged context around each change. Use several @@ hunks for several
changes in one file. Paths are relative to the workspace root. The patch applies completely or not
at all: if any hunk does not match, nothing is written.`;

export const applyPatchTool = defineTool({
  name: 'apply_patch',
  description: DESCRIPTION,
  schema: ApplyPatchArgs,
  async handler(args, ctx) {
    let result: ReturnType<typeof applyPatch>;
    try {
      const operations = parsePatch(args.input);
      const files = new Map<string, string | null>();
      for (const path of pathsToRead(operations)) {
        files.set(
          path,
          await ctx.sandbox.readFile(path, fileOp(ctx)).catch((err: unknown) => {
            if (err instanceof SandboxUnavailableError) throw err;
            return null;
          }),
        );
      }
      result = applyPatch(operations, files);
    } catch (err) {
      if (!(err instanceof PatchError)) throw err;
      const message = `apply_patch: ${err.message}\nNothing was written.`;
      const capped = capText(message, ctx.maxOutputBytes);
      return failure('invalid_arguments', capped.text, { truncated: capped.truncated });
    }
    for (const change of result.changes) {
      if (change.kind === 'write') await writeFileWithParents(ctx, change.path, change.content);
      else await deleteFile(ctx, change.path);
    }
    return success(`Success. Updated the following files:\n${result.summary.join('\n')}`);
  },
});
