import { ConfigError } from '../config/index.js';
import type { SandboxProvider } from '../sandbox/index.js';
import type { LoadedSuite } from '../tasks/index.js';

/**
 * Limits that only the engine can judge, checked before any container starts: `sandbox.cpus`
 * past an engine's CPUs makes Docker refuse every container ("range of CPUs is from 0.01 to
 * N"). An engine that does not answer is not judged here; the run reports it when it starts.
 */
export async function checkSandboxLimits(suite: LoadedSuite, provider: SandboxProvider): Promise<void> {
  if (!provider.engineCpus) return;
  const wanted = suite.spec.sandbox.cpus;
  const engines = await provider.engineCpus().catch(() => []);
  const short = engines.find((e) => e.cpus < wanted);
  if (short) {
    throw new ConfigError({
      file: suite.file,
      field: 'sandbox.cpus',
      detail: `${wanted} is more than the ${short.cpus} CPUs of the Docker engine at ${short.engine}`,
    });
  }
}
