import { Agent, createServer, request } from 'node:http';

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
