import { readFileSync } from 'node:fs';
import type Dockerode from 'dockerode';
import { type EngineSpec, parseEngineHost } from '../config/index.js';
import { dockerodeClass } from './dockerode-lazy.js';

function readKeyFile(path: string, what: string, host: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`engine ${host}: cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

/**
 * A dockerode client for one engine of a suite. Every connection setting is given explicitly, so
 * a DOCKER_HOST in the environment does not leak into an engine the suite names.
 * Relative TLS and identity paths resolve against the current directory.
 */
export function dockerClientFor(engine: EngineSpec): Dockerode {
  const address = parseEngineHost(engine.host);
  switch (address.protocol) {
    case 'unix':
      return new (dockerodeClass())({ socketPath: address.socketPath, host: undefined, protocol: 'http' });
    case 'ssh':
      return new (dockerodeClass())({
        protocol: 'ssh',
        host: address.host,
        port: address.port,
        username: address.username,
        sshOptions: engine.identity
          ? { privateKey: readKeyFile(engine.identity, 'SSH identity', engine.host) }
          : { agent: process.env.SSH_AUTH_SOCK },
      });
    case 'tcp':
      return engine.tls
        ? new (dockerodeClass())({
            protocol: 'https',
            host: address.host,
            port: address.port,
            ca: readKeyFile(engine.tls.ca, 'TLS ca', engine.host),
            cert: readKeyFile(engine.tls.cert, 'TLS cert', engine.host),
            key: readKeyFile(engine.tls.key, 'TLS key', engine.host),
          })
        : new (dockerodeClass())({ protocol: 'http', host: address.host, port: address.port });
  }
}
