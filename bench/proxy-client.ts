import { Agent, request } from 'node:http';
import { conversationBodies } from './sim.js';
import { balancedOrders } from './util.js';

/**
 * The agent of the proxy benchmark, in a process of its own (as an agent in a sandbox is): sends
 * each request of the conversation to the sim directly and through each hop's socket, in orders
 * that change turn by turn (balancedOrders), and prints the timings as JSON on stdout.
 * Arguments: the sim's `/v1/responses` URL, the pause between turns (ms), how many turns go first
 * untimed through every path (connections, JIT), the hops' socket paths.
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
  const [simUrl, pause, warmUp, ...socketPaths] = process.argv.slice(2);
  if (!simUrl || socketPaths.length === 0)
    throw new Error('usage: proxy-client <sim responses url> <pause ms> <warm-up turns> <socket>...');
  const pauseMs = Number(pause ?? 0);
  const warmUpTurns = Number(warmUp ?? 0);
  const url = new URL(simUrl);
  const direct = {
    agent: new Agent({ keepAlive: true }),
    host: url.hostname,
    port: Number(url.port),
    path: url.pathname,
  };
  const hops = socketPaths.map((socketPath) => ({
    agent: new Agent({ keepAlive: true }),
    socketPath,
    path: '/v1/responses',
  }));
  const paths = [direct, ...hops];
  const bodies = conversationBodies();
  for (const body of bodies.slice(0, warmUpTurns)) {
    for (const path of paths) await send(path, body);
  }
  const timings: Timing[][] = paths.map(() => []);
  const orders = balancedOrders(paths.length);
  for (let i = 0; i < bodies.length; i++) {
    const body = bodies[i]!;
    for (const which of orders[i % orders.length]!) timings[which]!.push(await send(paths[which]!, body));
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  for (const path of paths) path.agent.destroy();
  process.stdout.write(JSON.stringify({ direct: timings[0], hops: timings.slice(1) }));
}

await main();
