import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readPricingWithCompiled, shippedPricingPath } from '../../../src/config/pricing.js';

const tmp = mkdtempSync(join(tmpdir(), 'turnbench-pricing-compiled-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const YAML_TEXT = 'models:\n  m: { input: 1, cached_input: 0.1, output: 2 }\n';

function files(name: string, compiled: unknown | null): { yaml: string; json: string } {
  const yaml = join(tmp, `${name}.yaml`);
  const json = join(tmp, `${name}.json`);
  writeFileSync(yaml, YAML_TEXT);
  if (compiled !== null)
    writeFileSync(json, typeof compiled === 'string' ? compiled : JSON.stringify(compiled));
  return { yaml, json };
}

describe('the compiled pricing table', () => {
  it('is read instead of the YAML when it was made from exactly that text', async () => {
    // the compiled copy says 5, the YAML 1: which one was read shows
    const { yaml, json } = files('match', {
      source_sha256: sha256(YAML_TEXT),
      pricing: { models: { m: { input: 5, cached_input: 0.5, output: 10 } } },
    });
    expect((await readPricingWithCompiled(yaml, json)).models.m?.input).toBe(5);
  });

  it('is passed over for the YAML when it is of another text, garbled, or absent', async () => {
    const other = files('other', {
      source_sha256: sha256(`${YAML_TEXT}# edited\n`),
      pricing: { models: { m: { input: 5, cached_input: 0.5, output: 10 } } },
    });
    expect((await readPricingWithCompiled(other.yaml, other.json)).models.m?.input).toBe(1);
    const garbled = files('garbled', '{"source_sha256":');
    expect((await readPricingWithCompiled(garbled.yaml, garbled.json)).models.m?.input).toBe(1);
    const absent = files('absent', null);
    expect((await readPricingWithCompiled(absent.yaml, absent.json)).models.m?.input).toBe(1);
  });

  it('is validated as the YAML would be, and its errors name the pricing file', async () => {
    const { yaml, json } = files('invalid', {
      source_sha256: sha256(YAML_TEXT),
      pricing: { models: { m: { input: 'cheap', cached_input: 0, output: 1 } } },
    });
    await expect(readPricingWithCompiled(yaml, json)).rejects.toThrow(
      /invalid\.yaml: field models\.m\.input/,
    );
  });

  it('the build wrote one of the shipped pricing.yaml as it is now, with the same table', () => {
    const yamlPath = shippedPricingPath();
    const text = readFileSync(yamlPath, 'utf8');
    const compiled = JSON.parse(readFileSync(join(dirname(yamlPath), 'dist', 'pricing.json'), 'utf8'));
    expect(compiled.source_sha256).toBe(sha256(text));
    expect(compiled.pricing).toEqual(parseYaml(text));
  });
});
