import { Agent, request } from 'node:http';
import { conversationBodies } from './sim.js';

/**
 * The agent of the proxy benchmark, in a process of its own (as an agent in a sandbox is): sends
 * each request of the conversation to the sim directly and through the proxy's socket, alternating
 * which goes first, and prints the timings as JSON on stdout.
 * Arguments: the sim's `/v1/responses` URL, the proxy's socket path, the pause between turns (ms).
 */

export interface Timing {
  ttft: number;
  total: number;
  /** Request body size. */
  bytes: number;
}

function send(
  options: { agent: Agent; socketPath?: string; host?: string; port?: number; path: string },
  body: string,
): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ttft = -1;
    const req = request(
      {
        ...options,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: 'Bearer x',
        },
      },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (ttft < 0 && (chunk.includes('response.output_item.added') || chunk.includes('.delta'))) {
            ttft = performance.now() - t0;
          }
        });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          else resolve({ ttft, total: performance.now() - t0, bytes: Buffer.byteLength(body) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const [simUrl, socketPath, pause] = process.argv.slice(2);
  if (!simUrl || !socketPath)
    throw new Error('usage: proxy-client <sim responses url> <proxy socket> [pause ms]');
  const pauseMs = Number(pause ?? 0);
  const url = new URL(simUrl);
  const direct = {
    agent: new Agent({ keepAlive: true }),
    host: url.hostname,
    port: Number(url.port),
    path: url.pathname,
  };
  const proxied = { agent: new Agent({ keepAlive: true }), socketPath, path: '/v1/responses' };
  const bodies = conversationBodies();
  // warm both paths (connections, JIT) before measuring
  for (const body of bodies.slice(0, 5)) {
    await send(direct, body);
    await send(proxied, body);
  }
  const d: Timing[] = [];
  const p: Timing[] = [];
  for (let i = 0; i < bodies.length; i++) {
    const body = bodies[i]!;
    if (i % 2 === 0) {
      d.push(await send(direct, body));
      p.push(await send(proxied, body));
    } else {
      p.push(await send(proxied, body));
      d.push(await send(direct, body));
    }
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  direct.agent.destroy();
  proxied.agent.destroy();
  process.stdout.write(JSON.stringify({ direct: d, proxied: p }));
}

await main();
