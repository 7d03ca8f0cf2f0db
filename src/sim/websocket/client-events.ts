import type { ResponseSteerFailedEvent, ResponsesServerEvent } from 'openai/resources/responses/responses';
import * as z from 'zod';
import { badRequest, type SimHttpError } from '../http/errors.js';
import { depthProblem } from '../http/json-depth.js';

/**
 * Client events of the Responses API's WebSocket mode, as the `openai` SDK types them
 * (`ResponsesClientEvent`), plus `response.processed`, which Codex sends after it has handled a
 * response. Only the envelope is checked here; a `response.create` body is validated by the same
 * schema as `POST /v1/responses`.
 */

const EnvelopeSchema = z.looseObject({ type: z.string().min(1) });

const CreateSchema = z.looseObject({
  type: z.literal('response.create'),
  stream_id: z.string().min(1).optional(),
  background: z.boolean().nullish(),
});

const ProcessedSchema = z.looseObject({
  type: z.literal('response.processed'),
  response_id: z.string().min(1),
});

const SteerSchema = z.looseObject({
  type: z.literal('response.steer'),
  previous_response_id: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())]),
});
type SteerEvent = z.infer<typeof SteerSchema>;

export type ClientEvent =
  | { kind: 'create'; body: Record<string, unknown>; streamId: string | null }
  | { kind: 'processed'; responseId: string }
  | { kind: 'steer'; event: SteerEvent }
  | { kind: 'invalid'; type: string; error: SimHttpError };

function invalid(
  type: string,
  message: string,
  param: string | null = null,
  code = 'invalid_event',
): ClientEvent {
  return { kind: 'invalid', type, error: badRequest(message, param, code) };
}

function firstIssue(error: z.ZodError): { path: string; message: string } {
  const issue = error.issues[0];
  return { path: issue?.path.map(String).join('.') ?? '', message: issue?.message ?? 'invalid' };
}

/** The message's `type` when it has one, for the traffic count and the log. */
function typeOfMessage(json: unknown): string {
  const envelope = EnvelopeSchema.safeParse(json);
  return envelope.success ? envelope.data.type : 'invalid';
}

/** Parse one text message from the client; anything wrong is an `invalid` event with a 400. */
export function parseClientEvent(text: string): ClientEvent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return invalid('invalid', `Message is not valid JSON: ${(e as Error).message}`, null, 'invalid_json');
  }
  const tooDeep = depthProblem(json, 'Message');
  if (tooDeep) return { kind: 'invalid', type: typeOfMessage(json), error: tooDeep };
  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    return invalid('invalid', "Each message must be a JSON object with a string 'type'.", 'type');
  }
  const type = envelope.data.type;
  if (type === 'response.create') {
    const parsed = CreateSchema.safeParse(json);
    if (!parsed.success) {
      const { path, message } = firstIssue(parsed.error);
      return invalid(type, `Invalid 'response.create': '${path}': ${message}`, path || null);
    }
    const { type: _type, stream_id, background, stream: _stream, ...body } = parsed.data;
    if (background) {
      return invalid(type, "'background' is not supported in WebSocket mode.", 'background');
    }
    return { kind: 'create', body, streamId: stream_id ?? null };
  }
  if (type === 'response.processed') {
    const parsed = ProcessedSchema.safeParse(json);
    if (!parsed.success) return invalid(type, "'response.processed' needs a 'response_id'.", 'response_id');
    return { kind: 'processed', responseId: parsed.data.response_id };
  }
  if (type === 'response.steer') {
    const parsed = SteerSchema.safeParse(json);
    if (!parsed.success) {
      const { path, message } = firstIssue(parsed.error);
      return invalid(type, `Invalid 'response.steer': '${path}': ${message}`, path || null);
    }
    return { kind: 'steer', event: parsed.data };
  }
  return invalid(
    type,
    `Unknown event type '${type}'. Expected one of: response.create, response.steer, response.processed.`,
    'type',
    'unknown_event_type',
  );
}

/**
 * The WebSocket error event: the HTTP status it stands for and the error body, as
 * `ResponsesServerEvent.ResponseWsError`. Response headers (Retry-After on a 429) go both in
 * `error.headers`, where the SDK's type has them, and at the top level, where Codex reads them.
 */
export type WsErrorEvent = ResponsesServerEvent.ResponseWsError & { headers?: Record<string, string> };

export function errorEvent(err: SimHttpError, streamId: string | null): WsErrorEvent {
  const hasHeaders = Object.keys(err.headers).length > 0;
  const event: WsErrorEvent = {
    type: 'error',
    status: err.status,
    error: {
      type: err.type,
      code: err.code,
      message: err.message,
      param: err.param,
      ...(hasHeaders ? { headers: err.headers } : {}),
    },
  };
  if (hasHeaders) event.headers = err.headers;
  if (streamId !== null) event.stream_id = streamId;
  return event;
}

/** The sim does not steer running responses: every steer is answered as not supported. */
export function steerNotSupported(event: SteerEvent): ResponseSteerFailedEvent {
  return {
    type: 'response.steer.failed',
    sequence_number: 0,
    error: {
      type: 'invalid_request_error',
      code: 'steering_not_supported',
      message: 'The sim does not support steering a response.',
    },
    steer: {
      input: event.input as ResponseSteerFailedEvent.Steer['input'],
      previous_response_id: event.previous_response_id,
    },
  };
}
