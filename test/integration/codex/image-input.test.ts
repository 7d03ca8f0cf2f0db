import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, test } from 'vitest';
import { type SimServer, startSimServer } from '../../../src/sim/index.js';
import { closeCodexTest, runCodexExec } from '../../helpers/codex.js';
import { type RecordingProxy, startRecordingProxy } from '../../helpers/recording-proxy.js';

/**
 * `codex exec -i <image>` (Codex 0.171) sends the task as the last of several parts of one user
 * message: an `input_text` opening tag naming the image, the `input_image` itself, a closing tag,
 * then the prompt. The sim must still find the task's script by the prompt.
 */

const TASK = 'Look at the picture, then list the files.';
const FINAL = 'A red square; the folder holds red.png.';

/** A tiny valid PNG: 4x4 red pixels. */
function redPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(4, 0);
  header.writeUInt32BE(4, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.from([0, ...Array.from({ length: 4 }, () => [255, 0, 0]).flat()]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat([row, row, row, row]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let sim: SimServer | undefined;
let proxy: RecordingProxy | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await closeCodexTest({ proxy, sim, dirs });
  proxy = undefined;
  sim = undefined;
});

describe('Codex CLI 0.171 with an image attached', () => {
  test('the task after the image parts still finds its script', { timeout: 150_000 }, async () => {
    sim = await startSimServer({ seed: 5 });
    sim.scripts.register(TASK, {
      steps: [{ tool: 'exec_command', args: { cmd: 'ls' } }],
      final: FINAL,
      reasoning_tokens: 0,
    });
    proxy = await startRecordingProxy(sim.url);
    const root = mkdtempSync(join(tmpdir(), 'tb-codex-img-'));
    dirs.push(root);
    const work = join(root, 'work');
    mkdirSync(work, { recursive: true });
    const image = join(work, 'red.png');
    writeFileSync(image, redPng());

    const run = await runCodexExec({
      codexHome: join(root, 'codex-home'),
      cwd: work,
      prompt: TASK,
      images: [image],
      config: { model: 'gpt-5.5', baseUrl: proxy.url, provider: 'custom', sandboxMode: 'danger-full-access' },
      timeoutMs: 120_000,
    });
    expect(run.code, run.stderr.slice(-2000)).toBe(0);

    // Codex sent the image as a part of the task's user message
    const first = proxy.exchanges[0]?.body?.input as Array<{ role?: string; content?: unknown }>;
    const task = first.find(
      (i) => i.role === 'user' && Array.isArray(i.content) && JSON.stringify(i.content).includes(TASK),
    );
    const parts = (task?.content ?? []) as Array<{ type: string; text?: string }>;
    expect(parts.map((p) => p.type)).toContain('input_image');
    expect(parts.at(-1)).toEqual({ type: 'input_text', text: TASK });
    // and the script ran: its one command, then its final message
    expect(proxy.exchanges.map((e) => e.status)).toEqual([200, 200]);
    const calls = proxy.exchanges[0]?.response?.output.filter((o) => o.type === 'function_call') ?? [];
    expect(calls.map((c) => (c.type === 'function_call' ? c.arguments : ''))).toEqual(['{"cmd":"ls"}']);
    expect(run.lastMessage.trim()).toBe(FINAL);
  });
});
