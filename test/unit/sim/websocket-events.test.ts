import { describe, expect, it } from 'vitest';
import { faultError, SimHttpError } from '../../../src/sim/http/errors.js';
import { errorEvent, parseClientEvent } from '../../../src/sim/websocket/client-events.js';

describe('parseClientEvent', () => {
  it('turns response.create into a create body without the envelope fields', () => {
    const event = parseClientEvent(
      JSON.stringify({ type: 'response.create', model: 'm', input: 'hi', stream: true, stream_id: 'lane-1' }),
    );
    expect(event).toEqual({ kind: 'create', body: { model: 'm', input: 'hi' }, streamId: 'lane-1' });
  });

  it('accepts response.processed and response.steer', () => {
    expect(parseClientEvent('{"type":"response.processed","response_id":"resp_1"}')).toEqual({
      kind: 'processed',
      responseId: 'resp_1',
    });
    expect(
      parseClientEvent('{"type":"response.steer","previous_response_id":"r","input":"go"}'),
    ).toMatchObject({
      kind: 'steer',
    });
  });

  it('answers anything else with a 400 naming the problem', () => {
    const cases: Array<[string, string, string | null]> = [
      ['{oops', 'invalid_json', null],
      ['[1,2]', 'invalid_event', 'type'],
      ['{"model":"m"}', 'invalid_event', 'type'],
      ['{"type":"response.cancel"}', 'unknown_event_type', 'type'],
      ['{"type":"response.create","background":true}', 'invalid_event', 'background'],
      ['{"type":"response.create","stream_id":""}', 'invalid_event', 'stream_id'],
      ['{"type":"response.processed"}', 'invalid_event', 'response_id'],
      ['{"type":"response.steer","previous_response_id":"r"}', 'invalid_event', 'input'],
    ];
    for (const [text, code, param] of cases) {
      const event = parseClientEvent(text);
      if (event.kind !== 'invalid') throw new Error(`${text} was accepted`);
      expect([event.error.status, event.error.code, event.error.param]).toEqual([400, code, param]);
    }
  });
});

describe('errorEvent', () => {
  it('carries the status and the error body, and the lane when there is one', () => {
    const err = new SimHttpError(400, 'bad', 'invalid_request_error', 'x_code', 'model');
    expect(errorEvent(err, null)).toEqual({
      type: 'error',
      status: 400,
      error: { type: 'invalid_request_error', code: 'x_code', message: 'bad', param: 'model' },
    });
    expect(errorEvent(err, 'a').stream_id).toBe('a');
  });

  it('puts response headers where the SDK and Codex read them', () => {
    const event = errorEvent(faultError(429, 3), null);
    expect(event.status).toBe(429);
    expect(event.error.headers).toMatchObject({ 'retry-after': '3', 'retry-after-ms': '3000' });
    expect(event.headers).toEqual(event.error.headers);
  });
});
