import type { Sandbox, SandboxProvider, SandboxSpec } from '../sandbox/index.js';

/**
 * Sandboxes for the samples about to start, created ahead while other samples wait on the
 * model, so container start latency is hidden. Each warm sandbox belongs to one sample (its
 * files and labels are that sample's); the pool never holds more than `size`, and never lets the
 * live total (running + warm) pass the sandbox limit.
 */
export class WarmPool {
  private readonly warm = new Map<string, Promise<Sandbox>>();
  private running = 0;

  constructor(
    private readonly provider: SandboxProvider,
    private readonly size: number,
    private readonly sandboxLimit: number,
  ) {}

  get warmCount(): number {
    return this.warm.size;
  }

  /** Start creating a sandbox for a sample that will run soon, if there is room. */
  prefetch(sampleId: string, spec: SandboxSpec): boolean {
    if (this.warm.has(sampleId) || this.warm.size >= this.size) return false;
    if (this.running + this.warm.size >= this.sandboxLimit) return false;
    const creating = this.provider.create(spec);
    creating.catch(() => {}); // a failed warm create is retried by take(); never unhandled
    this.warm.set(sampleId, creating);
    return true;
  }

  /** The sample's warm sandbox when there is one (and it was created fine), else a new one. */
  async take(
    sampleId: string,
    spec: SandboxSpec,
    signal?: AbortSignal,
  ): Promise<{ sandbox: Sandbox; warm: boolean }> {
    const pending = this.warm.get(sampleId);
    this.warm.delete(sampleId);
    this.running += 1;
    try {
      if (pending) {
        try {
          return { sandbox: await pending, warm: true };
        } catch {
          // fall through: create it now, so the error (if it repeats) belongs to the sample
        }
      }
      return { sandbox: await this.provider.create(spec, signal), warm: false };
    } catch (error) {
      this.running -= 1;
      throw error;
    }
  }

  /** A sample that took a sandbox has removed it. */
  release(): void {
    this.running = Math.max(0, this.running - 1);
  }

  /** Remove every warm sandbox nobody took (end of run, Ctrl-C). */
  async drain(): Promise<void> {
    const left = [...this.warm.values()];
    this.warm.clear();
    await Promise.all(
      left.map(async (creating) => {
        try {
          await (await creating).destroy();
        } catch {
          // a create that failed left nothing to remove
        }
      }),
    );
  }
}
