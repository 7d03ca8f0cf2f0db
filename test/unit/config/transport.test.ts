import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, readYamlFile, SuiteSchema, VariantSchema } from '../../../src/config/index.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'turnbench-transport-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('variant transport', () => {
  it('defaults to http and accepts websocket for the Responses API', () => {
    expect(VariantSchema.parse({ name: 'v', instructions: 'x' }).transport).toBe('http');
    expect(VariantSchema.parse({ name: 'v', instructions: 'x', transport: 'websocket' }).transport).toBe(
      'websocket',
    );
  });

  it('refuses websocket with the Chat Completions API, naming the field and line', async () => {
    const file = path.join(scratch, 'suite.yaml');
    await writeFile(
      file,
      'name: s\ntasks: [a]\nvariants:\n  - name: v\n    instructions: x\n    api: chat\n    transport: websocket\n',
    );
    const error = await readYamlFile(file, SuiteSchema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.field).toBe('variants[0].transport');
    expect(configError.line).toBe(7);
    expect(configError.detail).toContain('needs api: responses');
  });

  it('refuses an unknown transport', () => {
    const parsed = VariantSchema.safeParse({ name: 'v', instructions: 'x', transport: 'grpc' });
    expect(parsed.success).toBe(false);
  });
});
