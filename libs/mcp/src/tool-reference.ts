import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { ClaudineBackend } from './backend';
import { createClaudineMcpServer } from './server';

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  items?: JsonSchema;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  format?: string;
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  if (schema.type === 'array') {
    const item = schema.items ? typeOf(schema.items) : 'any';
    return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
  }
  if (schema.type === 'object' && !schema.properties) return 'object';
  return Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
}

/** Where the reference goes in docs/mcp.md. */
export const TOOL_REFERENCE_MARKERS = {
  begin: '<!-- tools:begin (generated from libs/mcp: npm run docs -w @claudine/mcp) -->',
  end: '<!-- tools:end -->',
} as const;

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * The tools reference of docs/mcp.md, rendered from the tools as `tools/list` shows them to a
 * client (names, descriptions, input and output schemas): the docs cannot drift from the code.
 */
export async function renderToolReference(): Promise<string> {
  const server = createClaudineMcpServer({ backend: { address: 'docs' } as ClaudineBackend });
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'docs', version: '1' });
  await client.connect(clientSide);
  try {
    const { tools } = await client.listTools();
    const sections = tools.map((tool) => {
      const input = tool.inputSchema as JsonSchema;
      const required = new Set(input.required ?? []);
      const rows = Object.entries(input.properties ?? {}).map(
        ([name, schema]) =>
          `| \`${name}\`${required.has(name) ? ' (required)' : ''} | ${cell(typeOf(schema))} | ${cell(schema.description ?? '')} |`,
      );
      const output = (tool.outputSchema ?? {}) as JsonSchema;
      const returns = Object.entries(output.properties ?? {}).map(
        ([name, schema]) => `\`${name}\`${schema.description ? ` (${schema.description})` : ''}`,
      );
      return [
        `### ${tool.name}`,
        '',
        tool.description ?? '',
        '',
        ...(rows.length === 0
          ? ['No input.']
          : ['| Input | Type | Meaning, range, default |', '| --- | --- | --- |', ...rows]),
        '',
        `Returns (\`structuredContent\`): ${returns.join(', ')}.`,
      ].join('\n');
    });
    return sections.join('\n\n');
  } finally {
    await client.close();
    await server.close();
  }
}
