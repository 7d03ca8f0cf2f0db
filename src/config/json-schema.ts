import * as z from 'zod';
import { SuiteSchema, TaskSchema } from './schema.js';

export const CONFIG_FILE_KINDS = ['suite', 'task'] as const;
export type ConfigFileKind = (typeof CONFIG_FILE_KINDS)[number];

const DESCRIPTIONS: Record<ConfigFileKind, string> = {
  suite: 'A turnbench suite: tasks x variants x epochs, concurrency, limits and sandbox settings.',
  task: 'A turnbench task: instructions, files, sandbox image, limits, scorer(s) and the sim script.',
};

/** The formats JSON Schema defines; zod also emits its own (e.g. `starts_with`), which editors do not know. */
const STANDARD_FORMATS = new Set([
  'date-time',
  'date',
  'time',
  'duration',
  'email',
  'idn-email',
  'hostname',
  'idn-hostname',
  'ipv4',
  'ipv6',
  'uri',
  'uri-reference',
  'iri',
  'iri-reference',
  'uuid',
  'uri-template',
  'json-pointer',
  'relative-json-pointer',
  'regex',
]);

/**
 * The JSON Schema of suite.yaml or task.yaml, generated from the zod schemas that load them
 * (the input side: fields with defaults are optional). Refinements zod checks in code (unique
 * variant names, engine-host syntax) are not expressible here; the loader still reports them.
 */
export function configJsonSchema(kind: ConfigFileKind): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(kind === 'suite' ? SuiteSchema : TaskSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    // zod-specific formats come with an equivalent `pattern`, which stays.
    override: ({ jsonSchema }) => {
      if (typeof jsonSchema.format === 'string' && !STANDARD_FORMATS.has(jsonSchema.format))
        delete jsonSchema.format;
    },
  });
  return { $schema, title: `turnbench ${kind}.yaml`, description: DESCRIPTIONS[kind], ...rest };
}

/** The schema as written to schemas/<kind>.schema.json and printed by `turnbench schema <kind>`. */
export function configJsonSchemaText(kind: ConfigFileKind): string {
  return `${JSON.stringify(configJsonSchema(kind), null, 2)}\n`;
}
