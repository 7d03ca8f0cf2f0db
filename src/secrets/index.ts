export { printable } from './printable.js';
export {
  forgetSecrets,
  isSafeCut,
  REDACTED,
  redact,
  registerSecret,
  registerSecretsFromEnv,
} from './redact.js';
export { StreamRedactor } from './stream-redactor.js';
