import { readFileSync } from 'node:fs';

export interface PanelQuery {
  panel: string;
  refId: string;
  /** As written in the dashboard. */
  expr: string;
  /** With the Grafana variables replaced by concrete values. */
  query: string;
}

interface Panel {
  title?: string;
  type?: string;
  targets?: { refId?: string; expr?: string }[];
  panels?: Panel[];
}

/**
 * What Grafana puts in place of its variables: the built-in ones as they would be on a 1 s
 * scrape interval (`$__rate_interval` at least four scrape intervals), the dashboard's own
 * `worker` variable at "All".
 */
export const GRAFANA_VARIABLES: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '10m',
  worker: '.*',
};

export function substituteVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    const value = GRAFANA_VARIABLES[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${match} in: ${expr}`);
    return value;
  });
}

/** Every PromQL expression of every panel (rows' nested panels too). */
export function dashboardQueries(file: string): PanelQuery[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels?: Panel[] };
  const queries: PanelQuery[] = [];
  const visit = (panels: Panel[] = []): void => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr === undefined) continue;
        queries.push({
          panel: panel.title ?? '(untitled)',
          refId: target.refId ?? '?',
          expr: target.expr,
          query: substituteVariables(target.expr),
        });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return queries;
}

/** Titles of the panels that show data (every panel but the rows). */
export function dataPanelTitles(file: string): string[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels?: Panel[] };
  const titles: string[] = [];
  const visit = (panels: Panel[] = []): void => {
    for (const panel of panels) {
      if (panel.type !== 'row') titles.push(panel.title ?? '(untitled)');
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return titles;
}
