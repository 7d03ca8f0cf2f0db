import { describe, expect, it } from 'vitest';
import { qualifiedToolName, renderToolResult } from '../../../src/agent/mcp/index.js';
import { McpServerSchema, TaskSchema, VariantSchema } from '../../../src/config/index.js';

describe('qualifiedToolName', () => {
  it('names MCP tools as Codex does, within what a function name may hold', () => {
    expect(qualifiedToolName('notes', 'add_note')).toBe('mcp__notes__add_note');
    expect(qualifiedToolName('my.server', 'read file')).toBe('mcp__my_server__read_file');
  });

  it('cuts a long name to 64 characters and keeps it unique with a hash', () => {
    const a = qualifiedToolName('server', 'x'.repeat(80));
    const b = qualifiedToolName('server', `${'x'.repeat(79)}y`);
    expect(a).toHaveLength(64);
    expect(b).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('renderToolResult', () => {
  it('joins text blocks and names the others', () => {
    expect(
      renderToolResult({
        content: [
          { type: 'text', text: 'first' },
          { type: 'image', data: 'aGVsbG8=', mimeType: 'image/png' },
          { type: 'resource', resource: { uri: 'file:///a.txt', text: 'inline text' } },
          { type: 'resource_link', uri: 'file:///b.bin', name: 'b' },
        ],
      }),
    ).toBe('first\n[image image/png, 6 bytes]\ninline text\n[resource link file:///b.bin (b)]');
  });

  it('shows structured content when there are no blocks', () => {
    expect(renderToolResult({ content: [], structuredContent: { n: 3 } })).toBe('{"n":3}');
  });
});

describe('MCP config', () => {
  const base = { instructions: 'x', name: 'v' };

  it('needs exactly one of builtin and command', () => {
    expect(McpServerSchema.safeParse({ name: 's' }).success).toBe(false);
    expect(McpServerSchema.safeParse({ name: 's', builtin: 'notes', command: ['x'] }).success).toBe(false);
    expect(McpServerSchema.parse({ name: 's', command: ['node', 'server.js'] })).toMatchObject({
      run_on: 'sandbox',
      args: [],
      node: false,
    });
  });

  it('keeps host servers to tasks', () => {
    const server = { name: 's', builtin: 'notes', run_on: 'host' };
    const variant = VariantSchema.safeParse({ ...base, mcp: { servers: [server] } });
    expect(variant.success).toBe(false);
    expect(variant.error?.issues[0]?.message).toMatch(/declared by its task/);
    const task = TaskSchema.safeParse({
      id: 't',
      instructions: 'x',
      scorer: { type: 'match', expected: 'x' },
      mcp_servers: [server],
    });
    expect(task.success).toBe(true);
  });

  it('defaults to Codex layout and rebuild', () => {
    expect(VariantSchema.parse({ ...base, mcp: {} }).mcp).toEqual({
      servers: [],
      tool_layout: 'codex',
      on_list_changed: 'rebuild',
    });
  });
});

describe('MCP server names', () => {
  it('refuses a variant with two servers of one name', () => {
    const parsed = VariantSchema.safeParse({
      instructions: 'x',
      name: 'v',
      mcp: {
        servers: [
          { name: 'a', builtin: 'notes' },
          { name: 'a', builtin: 'filesystem' },
        ],
      },
    });
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['mcp', 'servers', 1, 'name'] });
  });
});
