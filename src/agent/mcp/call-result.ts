import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/sdk/types.js';

function renderBlock(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'image':
    case 'audio':
      return `[${block.type} ${block.mimeType}, ${Math.floor((block.data.length * 3) / 4)} bytes]`;
    case 'resource':
      return 'text' in block.resource
        ? block.resource.text
        : `[resource ${block.resource.uri}${block.resource.mimeType ? ` (${block.resource.mimeType})` : ''}]`;
    case 'resource_link':
      return `[resource link ${block.uri}${block.name ? ` (${block.name})` : ''}]`;
  }
}

/**
 * A tool result as the model reads it, the way a function_call_output carries it: the text blocks
 * joined, other blocks named; structured content as JSON when there are no blocks to show.
 */
export function renderToolResult(result: CallToolResult): string {
  const parts = result.content.map(renderBlock);
  if (parts.length === 0 && result.structuredContent !== undefined) {
    return JSON.stringify(result.structuredContent);
  }
  return parts.join('\n');
}
