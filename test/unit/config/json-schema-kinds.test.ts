import { describe, expect, it } from 'vitest';
import { SCHEMA_KINDS } from '../../../src/cli/commands/schema.js';
import { CONFIG_FILE_KINDS } from '../../../src/config/index.js';

describe('turnbench schema', () => {
  it('offers exactly the config files that have a JSON Schema (the command keeps its own list so --help loads no config)', () => {
    expect([...SCHEMA_KINDS]).toEqual([...CONFIG_FILE_KINDS]);
  });
});
