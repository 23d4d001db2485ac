import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderToolReference, TOOL_REFERENCE_MARKERS } from './tool-reference';

const DOC = path.resolve(__dirname, '../../../docs/mcp.md');

/** The text without Prettier's table padding (the docs are formatted; Prettier cannot run under Jest here). */
function normalized(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((line) => line.replace(/-{3,}/g, '---').replace(/ +/g, ' ').trim())
    .filter((line) => line !== '');
}

describe('the tools reference in docs/mcp.md', () => {
  it('is the one the schemas render (npm run docs -w @claudine/mcp writes it)', async () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(TOOL_REFERENCE_MARKERS.begin);
    const end = doc.indexOf(TOOL_REFERENCE_MARKERS.end);
    expect(start).toBeGreaterThan(0);
    expect(normalized(doc.slice(start + TOOL_REFERENCE_MARKERS.begin.length, end))).toEqual(
      normalized(await renderToolReference()),
    );
  });
});
