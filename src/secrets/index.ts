export {
  forgetSecrets,
  isSafeCut,
  lastSafeCut,
  longestSecretForm,
  REDACTED,
  redact,
  redactKnownSecrets,
  registerSecret,
  registerSecretsFromEnv,
} from './redact.js';
export { StreamRedactor } from './stream-redactor.js';
