export {
  ANY_LABEL_VALUE,
  DockerSandboxProvider,
  type DockerSandboxProviderOptions,
  HOST_LABEL,
  ImageNotFoundError,
  PID_LABEL,
  RUN_LABEL,
  SAMPLE_LABEL,
} from './docker-provider.js';
export { dockerClientFor } from './engine-client.js';
export { BASE_IMAGE_REPO, baseImageTag, DEFAULT_WORKDIR, SANDBOX_USER } from './image-base.js';
export type { ImageSummary } from './image-list.js';
export { LocalSandboxProvider } from './local.js';
export { type EngineEntry, type EngineUsage, MultiEngineProvider } from './multi-engine.js';
export { capOutput, DEFAULT_MAX_OUTPUT_BYTES } from './output-cap.js';
export { processAlive } from './process-alive.js';
export { sandboxProviderFor } from './provider-for.js';
export { type ReapOptions, reapOrphans } from './reap.js';
export type * from './types.js';
