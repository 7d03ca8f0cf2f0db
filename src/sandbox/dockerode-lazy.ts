import { createRequire } from 'node:module';
import type Dockerode from 'dockerode';

const require = createRequire(import.meta.url);
let loaded: typeof Dockerode | null = null;

/**
 * The dockerode class, loaded on first use: it pulls in ssh2, gRPC and protobuf (about 300
 * modules), which a run on the local sandbox, `--help` and the commands that never reach an engine
 * should not pay for at start-up. dockerode is CommonJS, so a synchronous require is enough.
 */
export function dockerodeClass(): typeof Dockerode {
  loaded ??= require('dockerode') as typeof Dockerode;
  return loaded;
}
