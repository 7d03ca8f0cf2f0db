import { Agent, createServer, request } from 'node:http';
import { connect, createServer as createNetServer, type Socket } from 'node:net';

/**
 * The floor of the proxy benchmark: the least a Node process between the agent and the sim can
 * do (a unix socket in, the request and its answer piped on as they come; no recording, no
 * redaction, no limits). What the recording proxy adds beyond it is its own; the rest is the hop.
 */
export async function startPassThrough(
  socketPath: string,
  upstream: URL,
): Promise<{ close: () => Promise<void> }> {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/**
 * Below the pass-through: a Node process that relays the connection's bytes both ways and parses
 * nothing (no HTTP, so no key could be swapped and nothing recorded). What any userspace hop on
 * this machine costs, however it is written; the pass-through's cost beyond it is Node's HTTP.
 */
export async function startByteRelay(
  socketPath: string,
  upstream: URL,
): Promise<{ close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createNetServer({ noDelay: true }, (agent) => {
    // noDelay: without it a small write waiting on a delayed ACK stalls ~40 ms (the relay's p99)
    const provider = connect({ port: Number(upstream.port), host: upstream.hostname, noDelay: true });
    track(agent);
    track(provider);
    agent.pipe(provider);
    provider.pipe(agent);
    agent.on('error', () => provider.destroy());
    provider.on('error', () => agent.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
