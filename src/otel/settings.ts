import * as z from 'zod';
import { MAX_STEP_TIMEOUT_S } from '../config/index.js';

/** Where and how traces go; null settings mean OpenTelemetry export is off. */
export interface OtelSettings {
  /** The URL spans are posted to; undefined lets the exporter read the OTEL_EXPORTER_OTLP_* variables. */
  url: string | undefined;
  /** The URL they will end up at, for messages. */
  target: string;
  protocol: 'http/protobuf' | 'http/json';
  /** Export what the records hold of content (final answers, prompt diffs, scorer and grader text). */
  captureContent: boolean;
  /** How long one export may take, retries included (OTEL_EXPORTER_OTLP_TIMEOUT, default 10 s). */
  timeoutMs: number;
}

export class OtelConfigError extends Error {
  override name = 'OtelConfigError';
}

const DEFAULT_TRACES_URL = 'http://localhost:4318/v1/traces';
const TRACES_PATH = '/v1/traces';

const EndpointSchema = z.url({ protocol: /^https?$/, error: 'an http(s) URL, e.g. http://localhost:4318' });
const Protocol = z.enum(['http/protobuf', 'http/json', 'grpc']);
/** Milliseconds; at most a day, so the export timers never pass Node's limit (issue 12, finding 6). */
const Timeout = z.coerce
  .number()
  .int()
  .positive()
  .max(MAX_STEP_TIMEOUT_S * 1000);
const truthy = (value: string | undefined) => value !== undefined && /^(true|1|yes)$/i.test(value.trim());

/** A base endpoint as OTEL_EXPORTER_OTLP_ENDPOINT means it: traces go to `<endpoint>/v1/traces`. */
function tracesUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith(TRACES_PATH) ? trimmed : `${trimmed}${TRACES_PATH}`;
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * `--otel [endpoint]` and the standard OTEL_* variables decide whether traces are exported:
 * the flag turns export on (its endpoint is a base URL like OTEL_EXPORTER_OTLP_ENDPOINT's);
 * without it, OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT does, unless
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. Content needs `--otel-content` or
 * OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true.
 */
export function otelSettings(
  flag: string | boolean | undefined,
  contentFlag: boolean,
  env: NodeJS.ProcessEnv = process.env,
): OtelSettings | null {
  const tracesEnv = envValue(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEnv = envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (flag === undefined || flag === false) {
    if (!tracesEnv && !baseEnv) return null;
    if (truthy(env.OTEL_SDK_DISABLED)) return null;
    if (envValue(env, 'OTEL_TRACES_EXPORTER') === 'none') return null;
  }

  let url: string | undefined;
  if (typeof flag === 'string') {
    const parsed = EndpointSchema.safeParse(flag);
    if (!parsed.success) throw new OtelConfigError(`--otel ${flag}: ${parsed.error.issues[0]?.message}`);
    url = tracesUrl(parsed.data);
  }
  const target = url ?? tracesEnv ?? (baseEnv ? tracesUrl(baseEnv) : DEFAULT_TRACES_URL);

  const protocolName =
    envValue(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ??
    envValue(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ??
    'http/protobuf';
  const protocol = Protocol.safeParse(protocolName);
  if (!protocol.success)
    throw new OtelConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL=${protocolName}: expected http/protobuf or http/json`,
    );
  if (protocol.data === 'grpc')
    throw new OtelConfigError(
      'OTEL_EXPORTER_OTLP_PROTOCOL=grpc: turnbench exports over OTLP/HTTP (http/protobuf or http/json)',
    );

  const timeoutText =
    envValue(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ?? envValue(env, 'OTEL_EXPORTER_OTLP_TIMEOUT');
  const timeout = Timeout.safeParse(timeoutText ?? 10_000);
  if (!timeout.success)
    throw new OtelConfigError(
      `OTEL_EXPORTER_OTLP_TIMEOUT=${timeoutText}: expected milliseconds, at most ${MAX_STEP_TIMEOUT_S * 1000}`,
    );

  return {
    url,
    target,
    protocol: protocol.data,
    captureContent: contentFlag || truthy(env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT),
    timeoutMs: timeout.data,
  };
}
