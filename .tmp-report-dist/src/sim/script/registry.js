import { createHash } from 'node:crypto';
import { SimScriptSchema } from '../../config/schema.js';
export function taskKeyHash(taskText) {
    return createHash('sha256').update(taskText).digest('hex').slice(0, 24);
}
/**
 * Task scripts keyed by the exact text of the task's user message (a Map lookup per user
 * message of a request, never a scan of all keys). Also findable by the text's hash, which
 * is what compaction items carry.
 */
export class SimScriptRegistry {
    byText = new Map();
    byHash = new Map();
    register(taskText, script) {
        const parsed = SimScriptSchema.parse(script);
        this.byText.set(taskText, parsed);
        this.byHash.set(taskKeyHash(taskText), taskText);
    }
    get size() {
        return this.byText.size;
    }
    has(text) {
        return this.byText.has(text);
    }
    find(text) {
        return this.byText.get(text) ?? this.byText.get(text.trim());
    }
    textForHash(hash) {
        return this.byHash.get(hash);
    }
}
//# sourceMappingURL=registry.js.map