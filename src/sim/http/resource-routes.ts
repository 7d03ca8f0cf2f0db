import type { IncomingMessage } from 'node:http';
import type { SimContext, SimReply } from '../context.js';

/** A request to a stored object's route: the id from its path and the query string. */
export interface ResourceRequest {
  id: string;
  query: URLSearchParams;
}

export type ResourceHandler = (ctx: SimContext, req: ResourceRequest) => SimReply;

export interface ResourceRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path with `{id}` standing for one segment, e.g. `/v1/responses/{id}/input_items`. */
  path: string;
  handler: ResourceHandler;
}

export interface CompiledResource {
  route: ResourceRoute;
  /** The path before and after `{id}`. */
  before: string;
  after: string;
}

export function compile(routes: ResourceRoute[]): CompiledResource[] {
  return routes.map((route) => {
    const [before, after = ''] = route.path.split('{id}') as [string, string?];
    return { route, before, after };
  });
}

/** The route `path` is one of, with its id (one non-empty segment, percent-decoded). */
export function matchResource(
  compiled: CompiledResource[],
  method: string,
  path: string,
): { route: ResourceRoute; id: string } | null {
  for (const { route, before, after } of compiled) {
    if (route.method !== method || path.length <= before.length + after.length) continue;
    if (!path.startsWith(before) || !path.endsWith(after)) continue;
    const segment = path.slice(before.length, path.length - after.length);
    if (segment.includes('/')) continue;
    try {
      return { route, id: decodeURIComponent(segment) };
    } catch {
      return null;
    }
  }
  return null;
}

/** The request's query string. */
export function requestQuery(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '/';
  const at = url.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
}
