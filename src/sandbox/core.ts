/**
 * The part of the sandbox entry a run needs whatever its engine: the contract (types, errors), the
 * local engine, labels, reaping and the provider factory, which loads the Docker code only for a
 * Docker engine. Code on the run path imports this instead of index.ts, so a local run never loads
 * dockerode's neighbours (tar packing, image builds, the engine pool). index.ts re-exports all of it.
 */
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
export {
  DEFAULT_DISK_MB,
  FileTooLargeError,
  ImageNotFoundError,
  SandboxUnavailableError,
  SYSTEM_PATH,
} from './types.js';
