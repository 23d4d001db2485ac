/** One line of the results table; every cell is already formatted text. */
export interface ResultRow {
  metric: string;
  claudine: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: 'meets' | 'misses' | 'info' | 'error';
}

const RESULT_COLUMNS: { key: keyof ResultRow; title: string }[] = [
  { key: 'metric', title: 'metric' },
  { key: 'claudine', title: 'Claudine' },
  { key: 'baseline', title: 'baseline' },
  { key: 'ratio', title: 'ratio' },
  { key: 'target', title: 'target' },
  { key: 'verdict', title: 'verdict' },
];

/** Fixed-width columns sized to their widest cell, so the output lines up in any terminal or log. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    widths
      .map((width, column) => (cells[column] ?? '').padEnd(width))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n') + '\n';
}

export function renderResultTable(rows: readonly ResultRow[]): string {
  return renderTable(
    RESULT_COLUMNS.map((column) => column.title),
    rows.map((row) => RESULT_COLUMNS.map((column) => row[column.key])),
  );
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1_000) return `${(ms / 1000).toFixed(2)} s`;
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

export function formatRate(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return ratio >= 100 ? `${ratio.toFixed(0)}x` : `${ratio.toFixed(2)}x`;
}

export function verdict(meets: boolean): ResultRow['verdict'] {
  return meets ? 'meets' : 'misses';
}

const ERROR_CELL_CHARS = 70;

/**
 * A measurement that could not run still gets a row, carrying the reason instead of numbers; the
 * cell is cut to keep the table readable, so callers print the full message under the table too.
 */
export function errorRow(metric: string, target: string, error: unknown): ResultRow {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  const cell = message.length > ERROR_CELL_CHARS ? `${message.slice(0, ERROR_CELL_CHARS - 1)}…` : message;
  return { metric, claudine: `error: ${cell}`, baseline: '-', ratio: '-', target, verdict: 'error' };
}
