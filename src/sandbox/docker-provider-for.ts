import type { SandboxDefaults } from '../config/index.js';
import { DockerSandboxProvider } from './docker-provider.js';
import { dockerClientFor } from './engine-client.js';
import { MultiEngineProvider } from './multi-engine.js';
import type { SandboxProvider } from './types.js';

/** Docker spread over the suite's `engines`, or Docker on the default engine (DOCKER_HOST, else the local socket). */
export function dockerProviderFor(engines: SandboxDefaults['engines']): SandboxProvider {
  if (!engines || engines.length === 0) return new DockerSandboxProvider();
  return new MultiEngineProvider(
    engines.map((engine) => ({
      name: engine.name ?? engine.host,
      provider: new DockerSandboxProvider({ docker: dockerClientFor(engine) }),
      max: engine.max,
    })),
  );
}
