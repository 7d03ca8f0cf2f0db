import type { SandboxDefaults } from '../config/index.js';
import { LocalSandboxProvider } from './local.js';
import type { SandboxProvider } from './types.js';

/**
 * The sandbox provider a suite asks for: the local one; Docker spread over the suite's `engines`;
 * or Docker on the default engine (DOCKER_HOST, else the local socket). The Docker code is loaded
 * only when a Docker engine is asked for, so a local run does not pay for it at start-up.
 */
export async function sandboxProviderFor(
  defaults: Pick<SandboxDefaults, 'engine' | 'engines'>,
): Promise<SandboxProvider> {
  if (defaults.engine === 'local') return new LocalSandboxProvider();
  const { dockerProviderFor } = await import('./docker-provider-for.js');
  return dockerProviderFor(defaults.engines);
}
