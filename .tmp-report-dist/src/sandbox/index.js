export { ANY_LABEL_VALUE, DockerSandboxProvider, RUN_LABEL, SAMPLE_LABEL, } from './docker-provider.js';
export { BASE_IMAGE_REPO, baseImageTag, DEFAULT_WORKDIR, SANDBOX_USER } from './image-base.js';
export { LocalSandboxProvider } from './local.js';
export { capOutput, DEFAULT_MAX_OUTPUT_BYTES } from './output-cap.js';
//# sourceMappingURL=index.js.map