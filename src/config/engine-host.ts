/** Where a Docker engine answers, parsed from a suite's `sandbox.engines[].host`. */
export type EngineAddress =
  | { protocol: 'unix'; socketPath: string }
  | { protocol: 'ssh'; host: string; port: number; username: string }
  | { protocol: 'tcp'; host: string; port: number };

export const ENGINE_HOST_FORMS = 'unix:///path/to/docker.sock, ssh://user@host[:port] or tcp://host:port';

const DEFAULT_SSH_PORT = 22;

function bare(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** Parses an engine host; throws an Error whose message says what is wrong and the accepted forms. */
export function parseEngineHost(host: string): EngineAddress {
  const fail = (why: string): never => {
    throw new Error(`engine host "${host}" ${why} (expected ${ENGINE_HOST_FORMS})`);
  };
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return fail('is not a URL');
  }
  if (url.search || url.hash) fail('must not have a query or fragment');
  if (url.port === '0') fail('needs a port between 1 and 65535');
  switch (url.protocol) {
    case 'unix:': {
      if (url.host) fail('must have an empty authority: unix:///absolute/path');
      const socketPath = decodeURIComponent(url.pathname);
      if (!socketPath.startsWith('/') || socketPath === '/') fail('needs an absolute socket path');
      if (socketPath.includes('\0')) fail('has a NUL byte (%00) in its socket path');
      return { protocol: 'unix', socketPath };
    }
    case 'ssh:': {
      if (!url.hostname) fail('needs a host name');
      if (!url.username) fail('needs a user name: ssh://user@host');
      if (url.password) fail('must not carry a password (use an SSH agent or an identity file)');
      if (url.pathname && url.pathname !== '/') fail('must not have a path');
      const port = url.port ? Number(url.port) : DEFAULT_SSH_PORT;
      return { protocol: 'ssh', host: bare(url.hostname), port, username: decodeURIComponent(url.username) };
    }
    case 'tcp:': {
      if (!url.hostname) fail('needs a host name');
      if (!url.port) fail('needs a port: tcp://host:port');
      if (url.username || url.password) fail('must not carry credentials');
      if (url.pathname && url.pathname !== '/') fail('must not have a path');
      return { protocol: 'tcp', host: bare(url.hostname), port: Number(url.port) };
    }
    default:
      return fail(`has an unsupported scheme "${url.protocol.replace(/:$/, '')}"`);
  }
}
