/**
 * A tracked table: tabs `Columns`, `Relationships` and `Permissions` (DESIGN.md §9). The
 * table's columns come from `pg_get_table_info` once and serve every tab.
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { findTable, tableInfo, type TableInfo, type TableRef } from './metadata.js';
import { PermissionsTab } from './permissions-tab.js';
import { RelationshipsTab } from './relationships-tab.js';
import { databasePath, navigate, tablePath, BASE } from './router.js';
import type { ConsoleState } from './state.js';
import { Loading } from './widgets.js';

const TABS = [
  ['columns', 'Columns'],
  ['relationships', 'Relationships'],
  ['permissions', 'Permissions'],
] as const;

function ColumnsTab({ info }: { info: TableInfo }) {
  return html`
    <table class="grid" aria-label="Columns">
      <thead><tr><th>Column</th><th>Type</th><th>Nullable</th><th>Key</th></tr></thead>
      <tbody>
        ${info.columns.map((c) => html`<tr key=${c.name}>
          <td>${c.name}</td><td>${c.type}</td><td>${c.nullable ? 'yes' : 'no'}</td>
          <td>${info.primary_key?.includes(c.name) ? 'primary key' : ''}</td>
        </tr>`)}
      </tbody>
    </table>`;
}

export function TablePage({ state, table, tab }: { state: ConsoleState; table: TableRef; tab: string | undefined }) {
  const [info, setInfo] = useState<TableInfo | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const key = `${table.source}\n${table.schema}\n${table.name}`;
  useEffect(() => {
    let live = true;
    setInfo(undefined);
    tableInfo(table).then((i) => live && (setInfo(i), setError(undefined)), (e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [key]);

  const current = TABS.find(([id]) => id === tab)?.[0] ?? 'columns';
  const entry = state.metadata ? findTable(state.metadata, table) : undefined;
  const label = `${table.schema}.${table.name}`;
  const body = (): unknown => {
    if (error) return html`<p class="error" role="alert">${table.source} does not answer for ${label}: ${error}</p>`;
    if (!info || !state.metadata) return html`<${Loading} what=${label} />`;
    if (!entry) return html`<p class="error" role="alert">${label} is not tracked in ${table.source}.</p>`;
    if (current === 'relationships') return html`<${RelationshipsTab} state=${state} table=${table} entry=${entry} info=${info} />`;
    if (current === 'permissions') return html`<${PermissionsTab} state=${state} table=${table} entry=${entry} info=${info} />`;
    return html`<${ColumnsTab} info=${info} />`;
  };
  return html`
    <nav aria-label="Breadcrumb" class="crumbs"><a href=${`${BASE}/data`}>Databases</a> / <a href=${databasePath(table.source)}>${table.source}</a> / ${label}</nav>
    <h1>${label}</h1>
    <div role="tablist" aria-label="Table">
      ${TABS.map(([id, name]) => html`<button type="button" role="tab" key=${id} id=${`tab-${id}`} aria-selected=${current === id}
        aria-controls="tab-panel" onClick=${() => navigate(tablePath(table.source, table.schema, table.name, id))}>${name}</button>`)}
    </div>
    <div role="tabpanel" id="tab-panel" aria-labelledby=${`tab-${current}`}>${body()}</div>`;
}
