export { type CodexBuild, CodexUnavailableError, findCodexBuild } from './codex/binary.js';
export { codexProvider, codexSetup, overrideArgs } from './codex/config.js';
export { type CodexSessionLog, type LoggedRequest, readSessionLog } from './codex/session-log.js';
export { commandEnvironment, renderArgument } from './command/driver.js';
export { FORWARDER_PORT, SANDBOX_BASE_URL, SANDBOX_PATHS } from './launcher.js';
export { type ObservedRequest, parseObservedRequest } from './proxy/observed-request.js';
export { RecordThread, ThreadedSampleRecorder } from './proxy/record-thread.js';
export { type ExchangeRecorder, type RecordedUsage, SampleRecorder } from './proxy/sample-recorder.js';
export { RecordingProxy, type RequestGate, type SampleChannel } from './proxy/server.js';
export type { UpstreamEndpoint } from './proxy/upstream.js';
export {
  AgentFailed,
  AgentLimit,
  AgentRuntime,
  type AgentRuntimeOptions,
  type AgentSampleInput,
  sampleDirName,
} from './runtime.js';
export { checkCodexUsage } from './usage-check.js';
