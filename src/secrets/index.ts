export {
  forgetSecrets,
  REDACTED,
  redact,
  redactDeep,
  registerSecret,
  registerSecretsFromEnv,
} from './redact.js';
