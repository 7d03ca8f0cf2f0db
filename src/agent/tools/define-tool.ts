import * as z from 'zod';
import type { ToolName } from '../../config/schema.js';
import { SandboxUnavailableError } from '../../sandbox/types.js';
import { failure, type Tool, type ToolContext, type ToolResult } from './types.js';

interface ToolSpec<S extends z.ZodType> {
  name: ToolName;
  description: string;
  schema: S;
  handler(args: z.output<S>, ctx: ToolContext): Promise<ToolResult>;
}

/**
 * Builds a tool from a zod schema: the JSON-Schema `parameters` sent to the model are generated
 * from the same schema that validates the model's arguments, so the two cannot drift apart.
 */
export function defineTool<S extends z.ZodType>(spec: ToolSpec<S>): Tool {
  return {
    name: spec.name,
    definition: {
      type: 'function',
      name: spec.name,
      description: spec.description,
      // Non-strict like Codex's own tools: optional fields stay optional instead of nullable.
      strict: false,
      parameters: toParameters(spec.schema),
    },
    async run(args: unknown, ctx: ToolContext) {
      const started = performance.now();
      const finish = (result: ToolResult) => ({
        ...result,
        durationMs: Math.round(performance.now() - started),
      });
      const parsed = spec.schema.safeParse(dropNullFields(args));
      if (!parsed.success) {
        return finish(
          failure('invalid_arguments', `invalid arguments for ${spec.name}: ${formatIssues(parsed.error)}`),
        );
      }
      try {
        return finish(await spec.handler(parsed.data, ctx));
      } catch (err) {
        // The sandbox itself is gone: no tool result can be given; the sample ends as an error.
        if (err instanceof SandboxUnavailableError) throw err;
        return finish(failure('sandbox_error', `${spec.name} failed: ${errorMessage(err)}`));
      }
    },
  };
}

/** JSON Schema for a tool's `parameters`: no `$schema` key, no safe-integer noise on integers. */
export function toParameters(schema: z.ZodType): Record<string, unknown> {
  const json: Record<string, unknown> = z.toJSONSchema(schema, {
    override: ({ jsonSchema }) => {
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
    },
  });
  const { $schema: _, ...parameters } = json;
  // Rebuilt from its JSON text: the deletes above leave objects in V8's dictionary mode, and every
  // request serialises these (JSON.stringify took ~30% longer on the request body, and its result
  // then took ~2.5x longer to encode).
  return JSON.parse(JSON.stringify(parameters)) as Record<string, unknown>;
}

/** `command: expected array, received string; timeout_ms: ...` */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = formatPath(issue.path);
      const message = issue.message.replace(/^Invalid input: /, '');
      return where ? `${where}: ${message}` : message;
    })
    .join('; ');
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Models often send `null` for an optional argument they mean to leave out. */
function dropNullFields(args: unknown): unknown {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return args;
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null));
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
