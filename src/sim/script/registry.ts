import { createHash } from 'node:crypto';
import { type SimScript, SimScriptSchema } from '../../config/schema.js';

export function taskKeyHash(taskText: string): string {
  return createHash('sha256').update(taskText).digest('hex').slice(0, 24);
}

/**
 * Task scripts keyed by the exact text of the task's user message (a Map lookup per user
 * message of a request, never a scan of all keys). Also findable by the text's hash, which
 * is what compaction items carry.
 */
export class SimScriptRegistry {
  private readonly byText = new Map<string, SimScript>();
  private readonly byHash = new Map<string, string>();

  register(taskText: string, script: SimScript): void {
    const parsed = SimScriptSchema.parse(script);
    this.byText.set(taskText, parsed);
    this.byHash.set(taskKeyHash(taskText), taskText);
  }

  get size(): number {
    return this.byText.size;
  }

  has(text: string): boolean {
    return this.byText.has(text);
  }

  find(text: string): SimScript | undefined {
    return this.byText.get(text) ?? this.byText.get(text.trim());
  }

  textForHash(hash: string): string | undefined {
    return this.byHash.get(hash);
  }
}
