/**
 * The `notes` MCP server shipped with turnbench (stdio). Notes are lines of a file in the working
 * directory, so what the model does through it stays in the sample's sandbox and a scorer can check it.
 *
 * Its tool list changes mid-conversation, which is what it is for: after `--change-after N` notes
 * were added (default 3; 0: never), `search_notes` appears and `count_notes` goes, and the server sends one
 * `notifications/tools/list_changed`, before the result of the call that caused it.
 *
 * Built into one file (dist/mcp-servers/notes.mjs) so it runs in a sandbox with nothing but Node.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import * as z from 'zod';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const changeAfter = Number(option('change-after', '3'));
const file = option('file', 'notes.txt');
if (!Number.isInteger(changeAfter) || changeAfter < 0) {
  process.stderr.write('notes: --change-after needs a whole number\n');
  process.exit(2);
}

async function notes(): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
/** Every note with its number (1-based, its line in the file). */
const numbered = (list: string[]) => list.map((note, i) => ({ line: `${i + 1}. ${note}`, note }));

const server = new McpServer(
  { name: 'turnbench-notes', version: '1.0.0' },
  // Several changes made together go out as one notification.
  { debouncedNotificationMethods: ['notifications/tools/list_changed'] },
);

let added = 0;

const search = server.registerTool(
  'search_notes',
  {
    description: 'Returns the notes that contain the query (case-insensitive), with their numbers.',
    inputSchema: { query: z.string().min(1).describe('Text to look for.') },
  },
  async ({ query }) => {
    const found = numbered(await notes()).filter((n) => n.note.toLowerCase().includes(query.toLowerCase()));
    return text(found.length > 0 ? found.map((n) => n.line).join('\n') : `no note contains "${query}"`);
  },
);
search.disable();

const count = server.registerTool(
  'count_notes',
  { description: 'Returns how many notes there are.' },
  async () => text(String((await notes()).length)),
);

server.registerTool(
  'add_note',
  {
    description: 'Adds a note (one line of text) to the notes file.',
    inputSchema: { text: z.string().min(1).describe('The note; line breaks become spaces.') },
  },
  async ({ text: note }) => {
    await appendFile(file, `${note.replace(/\s*\n\s*/g, ' ')}\n`);
    added += 1;
    if (added === changeAfter) {
      search.enable();
      count.remove();
      // Let the (debounced) notification go out before this call's result.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return text(`Saved note ${(await notes()).length}.`);
  },
);

server.registerTool('list_notes', { description: 'Lists every note, numbered.' }, async () => {
  const list = await notes();
  return text(
    list.length > 0
      ? numbered(list)
          .map((n) => n.line)
          .join('\n')
      : 'no notes yet',
  );
});

await server.connect(new StdioServerTransport());
