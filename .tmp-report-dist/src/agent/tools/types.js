export function success(output, extra = {}) {
    return { output, ok: true, error: null, exitCode: null, truncated: false, ...extra };
}
export function failure(error, output, extra = {}) {
    return { output, ok: false, error, exitCode: null, truncated: false, ...extra };
}
//# sourceMappingURL=types.js.map