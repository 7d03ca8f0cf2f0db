import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyHeader, SIM_OPTIONS_HEADER } from '../behaviour/options.js';
import type { SimContext, SimReply, SimRequest } from '../context.js';
import { newRequestId, REQUEST_ID_HEADER } from '../util/ids.js';
import { sleep } from '../util/sleep.js';
import { readJson } from './body.js';
import { badRequest, SimHttpError, sendError } from './errors.js';
import {
  type CompiledResource,
  compile,
  matchResource,
  type ResourceRoute,
  requestQuery,
} from './resource-routes.js';
import { writeSse } from './sse.js';
import { count, finishedResponse, type ResponseObserver, type SimTraffic } from './traffic.js';

export type Handler = (ctx: SimContext, req: SimRequest) => SimReply;

export interface Routes {
  post: Record<string, Handler>;
  get: Record<string, (ctx: SimContext) => unknown>;
  /** Routes with an id in the path, tried after the exact ones; no body is read. */
  resources?: ResourceRoute[];
}

export interface HttpServerOptions {
  logRequests: boolean;
  traffic: SimTraffic;
  onResponse?: ResponseObserver;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function send(res: ServerResponse, reply: SimReply, onResponse?: ResponseObserver): Promise<void> {
  await sleep(reply.delayMs);
  if (reply.kind === 'sse') {
    await writeSse(res, reply.events, reply.plan);
    if (reply.plan.cutAfter !== null) return;
  } else if (reply.cut) {
    // a connection reset before any byte of the answer
    res.destroy();
    return;
  } else {
    sendJson(res, reply.status, reply.body);
  }
  const finished = onResponse ? finishedResponse(reply) : null;
  if (finished) onResponse?.(finished, 'http');
}

/** The traffic key of every request to a path the sim does not serve. */
export const UNKNOWN_PATH = '(unknown path)';

async function handle(
  ctx: SimContext,
  routes: Routes,
  resources: CompiledResource[],
  opts: HttpServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = requestPath(req);
  const method = req.method ?? 'GET';
  const get = method === 'GET' ? routes.get[path] : undefined;
  const post = method === 'POST' ? routes.post[path] : undefined;
  const resource = get || post ? null : matchResource(resources, method, path);
  // A stored object's routes are counted by their template, and paths the sim does not serve under
  // one key: one key per id or per made-up path would grow without end.
  const known = get || post || resource || routes.get[path] || routes.post[path];
  count(opts.traffic.http, `${method} ${resource ? resource.route.path : known ? path : UNKNOWN_PATH}`);
  if (get) {
    sendJson(res, 200, get(ctx));
    return;
  }
  if (resource) {
    req.resume();
    await send(res, resource.route.handler(ctx, { id: resource.id, query: requestQuery(req) }));
    return;
  }
  if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
    throw new SimHttpError(405, `Method ${method} not allowed on ${path}`);
  }
  if (!post) throw new SimHttpError(404, `Invalid URL (${method} ${path})`);
  const header = req.headers[SIM_OPTIONS_HEADER];
  const options = applyHeader(ctx.defaults, Array.isArray(header) ? header[0] : header);
  if (!options.ok) throw badRequest(options.message);
  const { json, bytes } = await readJson(req);
  await send(res, post(ctx, { json, bytes, options: options.options }), opts.onResponse);
}

/** The request's path without query string or trailing slashes. */
export function requestPath(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? '';
}

export function createSimHttpServer(ctx: SimContext, routes: Routes, opts: HttpServerOptions): Server {
  const resources = compile(routes.resources ?? []);
  const server = createServer((req, res) => {
    const started = performance.now();
    // every answer, errors included, as the real API sends it (merged into each writeHead)
    res.setHeader(REQUEST_ID_HEADER, newRequestId());
    handle(ctx, routes, resources, opts, req, res)
      .catch((err: unknown) => {
        if (err instanceof SimHttpError) sendError(res, err);
        else {
          process.stderr.write(`turnbench sim: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
          sendError(
            res,
            new SimHttpError(
              500,
              `Internal sim error: ${(err as Error)?.message ?? String(err)}`,
              'server_error',
            ),
          );
        }
      })
      .finally(() => {
        if (opts.logRequests) {
          const ms = (performance.now() - started).toFixed(1);
          process.stderr.write(`${req.method} ${req.url} ${res.statusCode} ${ms}ms\n`);
        }
      });
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
