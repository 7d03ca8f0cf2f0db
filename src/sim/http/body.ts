import type { IncomingMessage } from 'node:http';
import { badRequest, SimHttpError } from './errors.js';
import { depthProblem } from './json-depth.js';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Read and JSON-parse a request body; any problem is a 400/413 with a clear message, a body nested
 * past MAX_JSON_DEPTH included.
 */
export async function readJson(req: IncomingMessage): Promise<{ json: unknown; bytes: number }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    if (bytes > MAX_BODY_BYTES)
      throw new SimHttpError(413, `Request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  if (bytes === 0) throw badRequest('Request body is empty; expected a JSON object.');
  const text = Buffer.concat(chunks, bytes).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw badRequest(`Request body is not valid JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw badRequest('Request body must be a JSON object.');
  }
  const tooDeep = depthProblem(json, 'Request body');
  if (tooDeep) throw tooDeep;
  return { json, bytes };
}
