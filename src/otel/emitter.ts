import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { versions } from '../runner/versions.js';
import { redact } from '../secrets/index.js';
import type { OtelSettings } from './settings.js';
import type { SpanSpec } from './span-specs.js';

/** A span already sent to the processor; children are created under its context. */
export interface SpanHandle {
  readonly context: Context;
}

export interface ExportOutcome {
  /** Spans the collector acknowledged. */
  exported: number;
  /** Spans in exports that failed (after the exporter's own retries). */
  failed: number;
  /** The first failure, as one line. */
  error: string | null;
}

/**
 * Turns span descriptions into OpenTelemetry spans with the official SDK and sends them with the
 * official OTLP/HTTP exporter (protobuf by default, JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json).
 * The SDK is imported here, on first use, so commands that do not export never load it.
 */
export interface TraceEmitter {
  span(spec: SpanSpec, parent?: SpanHandle): SpanHandle;
  /** Waits for the spans so far to be exported (bounded by the export timeout). */
  flush(): Promise<void>;
  /** Flushes and stops; never throws. */
  shutdown(): Promise<ExportOutcome>;
  /** Spans created so far. */
  readonly created: number;
}

export interface EmitterOptions {
  /** Called once, on the first failed export, with a one-line reason. */
  onFirstFailure?: (message: string) => void;
  /** Spans kept in memory awaiting export (beyond it they are dropped and counted as failed). */
  maxQueueSize?: number;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).slice(0, 300);
}

/** String attribute values with secrets and credential-shaped text taken out. */
function redactAttributes<T extends Record<string, unknown> | undefined>(attributes: T): T {
  if (!attributes) return attributes;
  return Object.fromEntries(
    Object.entries(attributes).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v]),
  ) as T;
}

/** Resolves after `ms` without keeping the process alive. */
function settleWithin<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

export async function startEmitter(
  settings: OtelSettings,
  options: EmitterOptions = {},
): Promise<TraceEmitter> {
  const [api, sdk, resources, exporterModule] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    settings.protocol === 'http/json'
      ? import('@opentelemetry/exporter-trace-otlp-http')
      : import('@opentelemetry/exporter-trace-otlp-proto'),
  ]);

  const outcome: ExportOutcome = { exported: 0, failed: 0, error: null };
  const inner = new exporterModule.OTLPTraceExporter(settings.url ? { url: settings.url } : {});
  // The SDK reports export results only to its callback: count them, and say the first failure once.
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done) {
      inner.export(spans, (result) => {
        if (result.code === 0)
          outcome.exported += spans.length; // ExportResultCode.SUCCESS
        else {
          outcome.failed += spans.length;
          if (outcome.error === null) {
            outcome.error = oneLine(result.error ?? 'export failed');
            options.onFirstFailure?.(outcome.error);
          }
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };

  const processor = new sdk.BatchSpanProcessor({
    exporter,
    maxQueueSize: options.maxQueueSize ?? 8192,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 1000,
    exportTimeoutMillis: settings.timeoutMs + 1000,
  });
  const resource = resources
    .defaultResource()
    .merge(
      resources.resourceFromAttributes({
        'service.name': 'turnbench',
        'service.version': versions().turnbench,
      }),
    )
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the defaults above.
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new sdk.TracerProvider({ resource, spanProcessors: [processor] });
  const tracer = provider.getTracer('turnbench', versions().turnbench);
  const KIND = { internal: api.SpanKind.INTERNAL, client: api.SpanKind.CLIENT } as const;
  const bound = settings.timeoutMs + 2000;
  let created = 0;
  let stopped: Promise<ExportOutcome> | null = null;

  return {
    get created() {
      return created;
    },
    span(spec, parent) {
      const span = tracer.startSpan(
        spec.name,
        {
          kind: KIND[spec.kind],
          startTime: spec.start,
          attributes: redactAttributes(spec.attributes),
          root: parent === undefined,
        },
        parent?.context ?? api.ROOT_CONTEXT,
      );
      for (const event of spec.events)
        span.addEvent(event.name, redactAttributes(event.attributes), event.time);
      // Live export sees records before the results writer redacts them (src/secrets).
      if (spec.error) span.setStatus({ code: api.SpanStatusCode.ERROR, message: redact(spec.error.message) });
      span.end(spec.end);
      created += 1;
      return { context: api.trace.setSpan(api.ROOT_CONTEXT, span) };
    },
    async flush() {
      await settleWithin(provider.forceFlush({ timeoutMillis: bound }), bound);
    },
    shutdown() {
      stopped ??= (async () => {
        await settleWithin(provider.shutdown(), bound);
        const lost = created - outcome.exported - outcome.failed;
        if (lost > 0) {
          outcome.failed += lost;
          outcome.error ??= `${lost} spans were not exported in time`;
        }
        return outcome;
      })();
      return stopped;
    },
  };
}
