import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../helpers/loopback.js';
import { assertBuilt, runCli, writeSimSuite } from './helpers.js';

/**
 * A provider's error message is printed on the run's progress line; one carrying escape sequences
 * must not reach the terminal as such (window title, screen clear, colours).
 */
describe('text from a provider on the terminal', () => {
  const ESCAPES = '\u001b]0;PWNED\u0007\u001b[2J\u001b[31m';
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({
        error: { message: `bad request ${ESCAPES}here`, type: 'invalid_request_error', code: null },
      });
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  let baseURL = '';
  beforeAll(async () => {
    assertBuilt();
    baseURL = `http://127.0.0.1:${await listenOnLoopback(server)}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('prints the sample error with its control characters escaped', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tb-escapes-'));
    const suite = writeSimSuite(root, {
      name: 'escapes',
      variant: 'v',
      variantFields: { provider: 'openai', base_url: baseURL, api_key_env: 'TB_ESCAPES_KEY' },
    });
    const result = await runCli(['run', suite, '--results-dir', join(root, 'results')], {
      env: { TB_ESCAPES_KEY: 'not-a-secret-1234' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('bad request \\u001b]0;PWNED\\u0007\\u001b[2J\\u001b[31mhere');
    for (const control of ['\u0007', '\u001b']) {
      expect(result.stderr).not.toContain(control);
      expect(result.stdout).not.toContain(control);
    }
  });
});
