export * from './core.js';
export { DockerSandboxProvider, type DockerSandboxProviderOptions } from './docker-provider.js';
export { dockerClientFor } from './engine-client.js';
export { BASE_IMAGE_REPO, baseImageTag, DEFAULT_WORKDIR, SANDBOX_USER } from './image-base.js';
export type { ImageSummary } from './image-list.js';
export { type EngineEntry, type EngineUsage, MultiEngineProvider } from './multi-engine.js';
