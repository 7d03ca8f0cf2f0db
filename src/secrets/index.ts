export {
  forgetSecrets,
  REDACTED,
  redact,
  registerSecret,
  registerSecretsFromEnv,
} from './redact.js';
