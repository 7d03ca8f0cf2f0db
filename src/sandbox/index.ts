export {
  DockerSandboxProvider,
  type DockerSandboxProviderOptions,
  ImageNotFoundError,
} from './docker-provider.js';
export { dockerClientFor } from './engine-client.js';
export { BASE_IMAGE_REPO, baseImageTag, DEFAULT_WORKDIR, SANDBOX_USER } from './image-base.js';
export type { ImageSummary } from './image-list.js';
export {
  ANY_LABEL_VALUE,
  HOST_LABEL,
  ownerLabels,
  PID_LABEL,
  PID_START_LABEL,
  RUN_LABEL,
  SAMPLE_LABEL,
} from './labels.js';
export { LocalSandboxProvider } from './local.js';
export { type EngineEntry, type EngineUsage, MultiEngineProvider } from './multi-engine.js';
export { capOutput, DEFAULT_MAX_OUTPUT_BYTES } from './output-cap.js';
export {
  bootId,
  identityAlive,
  ownIdentity,
  type ProcessIdentity,
  processAlive,
  processStartTime,
} from './process-alive.js';
export { sandboxProviderFor } from './provider-for.js';
export { type ReapOptions, reapOrphans, sandboxOwnerAlive } from './reap.js';
export type * from './types.js';
export { DEFAULT_DISK_MB, SandboxUnavailableError, SYSTEM_PATH } from './types.js';
