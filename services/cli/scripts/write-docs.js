// Rewrites the metrics reference of docs/operations.md from the built services (npm run docs -w claudine).
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { format, resolveConfig } = require('prettier');
const { renderServicesMetricsReference, METRICS_REFERENCE_MARKERS } = require('../dist/metrics-reference');

const DOC = path.resolve(__dirname, '../../../docs/operations.md');

(async () => {
  const reference = await format(renderServicesMetricsReference(), {
    ...(await resolveConfig(DOC)),
    parser: 'markdown',
  });
  const doc = readFileSync(DOC, 'utf8');
  const { begin, end } = METRICS_REFERENCE_MARKERS;
  const start = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`docs/operations.md has no ${begin} ... ${end} section`);
  writeFileSync(DOC, `${doc.slice(0, start + begin.length)}\n\n${reference.trim()}\n\n${doc.slice(stop)}`);
})().catch((error) => {
  process.exitCode = 1;
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
});
