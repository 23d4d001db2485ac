// Rewrites the tools reference of docs/mcp.md from the built library (npm run docs -w @claudine/mcp).
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { format, resolveConfig } = require('prettier');
const { renderToolReference, TOOL_REFERENCE_MARKERS } = require('../dist/tool-reference');

const DOC = path.resolve(__dirname, '../../../docs/mcp.md');

(async () => {
  const reference = await format(await renderToolReference(), {
    ...(await resolveConfig(DOC)),
    parser: 'markdown',
  });
  const doc = readFileSync(DOC, 'utf8');
  const { begin, end } = TOOL_REFERENCE_MARKERS;
  const start = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`docs/mcp.md has no ${begin} ... ${end} section`);
  writeFileSync(DOC, `${doc.slice(0, start + begin.length)}\n\n${reference.trim()}\n\n${doc.slice(stop)}`);
})().catch((error) => {
  process.exitCode = 1;
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
});
