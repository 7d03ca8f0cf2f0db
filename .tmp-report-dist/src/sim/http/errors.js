/** An error answered in OpenAI's body format: `{ error: { message, type, param, code } }`. */
export class SimHttpError extends Error {
    status;
    type;
    code;
    param;
    headers;
    constructor(status, message, type = 'invalid_request_error', code = null, param = null, headers = {}) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.headers = headers;
    }
}
export function badRequest(message, param = null, code = null) {
    return new SimHttpError(400, message, 'invalid_request_error', code, param);
}
/**
 * A 400 naming the first invalid field. `explain` may give a better message for a path
 * (union members such as input items).
 */
export function fromZod(error, what, explain) {
    const issue = error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    const message = (issue && explain?.(issue.path)) ?? issue?.message ?? 'invalid';
    return badRequest(`Invalid ${what}: ${path ? `'${path}': ` : ''}${message}`, path || null);
}
export function errorBody(err) {
    return JSON.stringify({
        error: { message: err.message, type: err.type, param: err.param, code: err.code },
    });
}
export function sendError(res, err) {
    if (res.headersSent) {
        res.destroy();
        return;
    }
    const body = errorBody(err);
    res.writeHead(err.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...err.headers,
    });
    res.end(body);
}
export function faultError(status, retryAfterS) {
    if (status === 429) {
        return new SimHttpError(429, 'Rate limit reached (simulated). Please retry after the time in the Retry-After header.', 'requests', 'rate_limit_exceeded', null, { 'retry-after': String(retryAfterS), 'retry-after-ms': String(Math.round(retryAfterS * 1000)) });
    }
    if (status === 503) {
        return new SimHttpError(503, 'The server is overloaded (simulated).', 'server_error', 'service_unavailable');
    }
    return new SimHttpError(500, 'The server had an error while processing your request (simulated).', 'server_error');
}
//# sourceMappingURL=errors.js.map