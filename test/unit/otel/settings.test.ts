import { describe, expect, it } from 'vitest';
import { otelSettings } from '../../../src/otel/index.js';

describe('otelSettings: --otel, --otel-content and the standard OTEL_* variables', () => {
  it('is off without the flag and without an endpoint variable', () => {
    expect(otelSettings(undefined, false, {})).toBeNull();
    expect(otelSettings(undefined, true, { OTEL_SERVICE_NAME: 'x' })).toBeNull();
  });

  it('the bare flag uses the variables, else the OTLP/HTTP default', () => {
    expect(otelSettings(true, false, {})).toMatchObject({
      url: undefined,
      target: 'http://localhost:4318/v1/traces',
      protocol: 'http/protobuf',
      captureContent: false,
      timeoutMs: 10_000,
    });
    expect(otelSettings(true, false, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })?.target).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      otelSettings(true, false, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
      })?.target,
    ).toBe('http://traces:9999/custom');
  });

  it('an endpoint on the flag is a base URL and wins over the variables', () => {
    const s = otelSettings('http://127.0.0.1:4318', false, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://elsewhere:1',
    });
    expect(s).toMatchObject({
      url: 'http://127.0.0.1:4318/v1/traces',
      target: 'http://127.0.0.1:4318/v1/traces',
    });
    expect(otelSettings('http://h:1/v1/traces', false, {})?.url).toBe('http://h:1/v1/traces');
  });

  it('an endpoint variable alone turns export on, unless the SDK is disabled or the exporter is none', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(otelSettings(undefined, false, env)?.target).toBe('http://c:4318/v1/traces');
    expect(otelSettings(undefined, false, { ...env, OTEL_SDK_DISABLED: 'true' })).toBeNull();
    expect(otelSettings(undefined, false, { ...env, OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  });

  it('protocol, timeout and content from the variables', () => {
    const s = otelSettings(true, false, {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
    });
    expect(s).toMatchObject({ protocol: 'http/json', timeoutMs: 2500, captureContent: true });
    expect(
      otelSettings(true, false, {
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      })?.protocol,
    ).toBe('http/protobuf');
  });

  it('says what is wrong in one line', () => {
    expect(() => otelSettings('localhost:4318', false, {})).toThrow(
      /^--otel localhost:4318: an http\(s\) URL/,
    );
    expect(() => otelSettings(true, false, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /exports over OTLP\/HTTP/,
    );
    expect(() => otelSettings(true, false, { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' })).toThrow(
      /OTEL_EXPORTER_OTLP_TIMEOUT=soon/,
    );
  });
});
