import { createHash } from 'node:crypto';
import { type SimScript, SimScriptSchema } from '../../config/schema.js';

/**
 * The form a task text is looked up by: line endings as `\n`, no leading or trailing
 * whitespace. Clients differ in what they keep (a YAML block scalar ends in a newline that a
 * client such as Codex strips), so both the stored key and the query are normalised.
 */
export function normaliseTaskText(text: string): string {
  return text.replaceAll('\r\n', '\n').trim();
}

export function taskKeyHash(taskText: string): string {
  return createHash('sha256').update(normaliseTaskText(taskText)).digest('hex').slice(0, 24);
}

/**
 * Task scripts keyed by the normalised text of the task's user message (a Map lookup per user
 * message of a request, never a scan of all keys). Also findable by the text's hash, which
 * is what compaction items carry.
 */
export class SimScriptRegistry {
  private readonly byText = new Map<string, SimScript>();
  private readonly byHash = new Map<string, string>();

  /** A task's script, and the scripts of the sub-agents it spawns (`agents`) under their own task texts. */
  register(taskText: string, script: SimScript): void {
    const parsed = SimScriptSchema.parse(script);
    this.add(taskText, parsed);
    for (const [agentTask, agentScript] of Object.entries(parsed.agents ?? {})) {
      this.add(agentTask, agentScript);
    }
  }

  private add(taskText: string, script: SimScript): void {
    const key = normaliseTaskText(taskText);
    this.byText.set(key, script);
    this.byHash.set(taskKeyHash(key), key);
  }

  get size(): number {
    return this.byText.size;
  }

  has(text: string): boolean {
    return this.byText.has(normaliseTaskText(text));
  }

  find(text: string): SimScript | undefined {
    return this.byText.get(normaliseTaskText(text));
  }

  textForHash(hash: string): string | undefined {
    return this.byHash.get(hash);
  }
}
