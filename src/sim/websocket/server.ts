import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { applyHeader, SIM_OPTIONS_HEADER } from '../behaviour/options.js';
import type { SimContext } from '../context.js';
import { errorBody, SimHttpError } from '../http/errors.js';
import { type Handler, requestPath } from '../http/server.js';
import type { ResponseObserver, SimTraffic } from '../http/traffic.js';
import { newRequestId, REQUEST_ID_HEADER } from '../util/ids.js';
import { SimWebSocketConnection } from './connection.js';

/** The one path that upgrades: the Responses API's WebSocket mode. */
export const RESPONSES_WS_PATH = '/v1/responses';

/** Same ceiling as an HTTP request body. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface WebSocketModeOptions {
  create: Handler;
  traffic: SimTraffic;
  onResponse?: ResponseObserver;
  logRequests: boolean;
}

export interface WebSocketMode {
  /** Drop every open connection (the server is shutting down). */
  closeAll(): void;
}

function reject(socket: Duplex, err: SimHttpError): void {
  const body = errorBody(err);
  socket.end(
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? ''}\r\n` +
      'Content-Type: application/json\r\n' +
      `${REQUEST_ID_HEADER}: ${newRequestId()}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * Serves `GET /v1/responses` upgraded to a WebSocket on the sim's HTTP server (`ws` does the
 * protocol, permessage-deflate included, which Codex asks for). The `x-turnbench-sim-options`
 * header of the upgrade request applies to the whole connection.
 */
export function attachWebSocketMode(
  server: Server,
  ctx: SimContext,
  opts: WebSocketModeOptions,
): WebSocketMode {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: true });
  const log = opts.logRequests ? (line: string) => process.stderr.write(`${line}\n`) : null;
  // the handshake answer is named like any other HTTP answer
  wss.on('headers', (headers) => headers.push(`${REQUEST_ID_HEADER}: ${newRequestId()}`));

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = requestPath(req);
    if (path !== RESPONSES_WS_PATH) {
      reject(
        socket,
        new SimHttpError(404, `Invalid URL (WebSocket ${path}); only ${RESPONSES_WS_PATH} upgrades`),
      );
      return;
    }
    const header = req.headers[SIM_OPTIONS_HEADER];
    const options = applyHeader(ctx.defaults, Array.isArray(header) ? header[0] : header);
    if (!options.ok) {
      reject(socket, new SimHttpError(400, options.message));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      opts.traffic.websocketUpgrades += 1;
      log?.(`WS ${RESPONSES_WS_PATH} open`);
      new SimWebSocketConnection(ctx, ws, {
        create: opts.create,
        options: options.options,
        traffic: opts.traffic,
        onResponse: opts.onResponse,
        log,
      });
    });
  });

  return {
    closeAll: () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
