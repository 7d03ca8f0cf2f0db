import type { SandboxDefaults } from '../config/index.js';
import { DockerSandboxProvider } from './docker-provider.js';
import { dockerClientFor } from './engine-client.js';
import { LocalSandboxProvider } from './local.js';
import { MultiEngineProvider } from './multi-engine.js';
import type { SandboxProvider } from './types.js';

/**
 * The sandbox provider a suite asks for: the local one; Docker spread over the suite's `engines`;
 * or Docker on the default engine (DOCKER_HOST, else the local socket).
 */
export function sandboxProviderFor(defaults: Pick<SandboxDefaults, 'engine' | 'engines'>): SandboxProvider {
  if (defaults.engine === 'local') return new LocalSandboxProvider();
  if (!defaults.engines || defaults.engines.length === 0) return new DockerSandboxProvider();
  return new MultiEngineProvider(
    defaults.engines.map((engine) => ({
      name: engine.name ?? engine.host,
      provider: new DockerSandboxProvider({ docker: dockerClientFor(engine) }),
      max: engine.max,
    })),
  );
}
