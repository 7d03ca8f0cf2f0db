import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { SandboxProcess } from '../../sandbox/index.js';

/**
 * MCP's stdio transport over a process the sandbox started: newline-delimited JSON-RPC on the
 * process's stdin and stdout (the SDK's own framing). The SDK's StdioClientTransport spawns on this
 * machine; this one talks to a process wherever the sandbox runs it.
 */
export class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();
  private closed = false;

  constructor(private readonly process: SandboxProcess) {}

  async start(): Promise<void> {
    this.process.stdout.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      this.drain();
    });
    this.process.stdout.on('error', (error) => this.onerror?.(error));
    this.process.stdin.on('error', (error) => this.onerror?.(error));
    void this.process.exited.then(() => this.markClosed());
  }

  private drain(): void {
    while (true) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (error) {
        // A line that is not JSON-RPC (a server printing to stdout): reported, then skipped.
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the MCP server process has exited'));
    return new Promise((resolve, reject) => {
      this.process.stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {
    await this.process.kill();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.clear();
    this.onclose?.();
  }
}
