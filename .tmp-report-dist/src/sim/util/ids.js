import { randomBytes } from 'node:crypto';
export function newId(prefix) {
    return `${prefix}_${randomBytes(12).toString('hex')}`;
}
export function nowSeconds(nowMs) {
    return Math.floor(nowMs / 1000);
}
//# sourceMappingURL=ids.js.map