import { randomBytes } from 'node:crypto';
/** Sortable and unique: `20261126-031500-a3f9`. */
export function newRunId(now = new Date()) {
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    return `${stamp}-${randomBytes(2).toString('hex')}`;
}
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
//# sourceMappingURL=run-id.js.map