/**
 * A database: its untracked tables (`pg_get_source_tables` less the tracked ones), each
 * with **Track <schema>.<table>**, and **Track all** (one `bulk`, all or nothing); its
 * tracked tables as links, each with **Untrack <schema>.<table>** (DESIGN.md §9).
 */
import { useEffect, useState } from 'preact/hooks';
import { metadataCall } from './api.js';
import { html } from './html.js';
import { sameTable, sourceTables, tableLabel, type QualifiedTable } from './metadata.js';
import { navigate, tablePath, BASE } from './router.js';
import { useAction, type ConsoleState } from './state.js';
import { ErrorText, Loading } from './widgets.js';

export function DatabasePage({ state, source }: { state: ConsoleState; source: string }) {
  const entry = state.metadata?.sources.find((s) => s.name === source);
  const [all, setAll] = useState<QualifiedTable[] | undefined>(undefined);
  const [listError, setListError] = useState<string | undefined>(undefined);
  const action = useAction();

  useEffect(() => {
    let live = true;
    setAll(undefined);
    sourceTables(source).then(
      (tables) => live && (setAll(tables), setListError(undefined)),
      (e: Error) => live && setListError(`${source} does not answer: ${e.message}`),
    );
    return () => {
      live = false;
    };
  }, [source]);

  if (!state.metadata) return html`<${Loading} what="metadata" />`;
  if (!entry) return html`<h1>${source}</h1><p role="alert" class="error">There is no database named ${source}.</p>`;

  const tracked = entry.tables.map((t) => t.table);
  const untracked = (all ?? []).filter((t) => !tracked.some((k) => sameTable(k, t)));
  const track = (tables: QualifiedTable[]) => action.run(async () => {
    const ops = tables.map((table) => ({ type: 'pg_track_table', args: { source, table } }));
    if (ops.length === 1) await metadataCall(ops[0]!.type, ops[0]!.args);
    else await metadataCall('bulk', ops);
    await state.refresh();
  });
  const untrack = (table: QualifiedTable) => action.run(async () => {
    await metadataCall('pg_untrack_table', { source, table, cascade: true });
    await state.refresh();
  });
  const drop = async (): Promise<void> => {
    const ok = await action.run(async () => {
      await metadataCall('pg_drop_source', { name: source, cascade: true });
      await state.refresh();
    });
    if (ok) navigate(`${BASE}/data`);
  };

  return html`
    <nav aria-label="Breadcrumb" class="crumbs"><a href=${`${BASE}/data`}>Databases</a> / ${source}</nav>
    <h1>${source}</h1>
    <${ErrorText} error=${action.error} />
    <section aria-label="Tracked tables">
      <h2>Tracked tables</h2>
      ${tracked.length === 0 ? html`<p class="muted">No table is tracked yet.</p>` : null}
      <ul class="list">
        ${tracked.map((t) => html`<li key=${tableLabel(t)}>
          <a href=${tablePath(source, t.schema, t.name)}>${tableLabel(t)}</a>
          <button type="button" class="secondary" disabled=${action.busy} onClick=${() => untrack(t)}>Untrack ${tableLabel(t)}</button>
        </li>`)}
      </ul>
    </section>
    <section aria-label="Untracked tables">
      <h2>Untracked tables and views</h2>
      ${listError ? html`<p class="error" role="alert">${listError}</p>` : all === undefined ? html`<${Loading} what="tables" />` : null}
      ${all && untracked.length === 0 ? html`<p class="muted">Every table is tracked.</p>` : null}
      ${untracked.length > 0 ? html`<button type="button" disabled=${action.busy} onClick=${() => track(untracked)}>Track all</button>` : null}
      <ul class="list">
        ${untracked.map((t) => html`<li key=${tableLabel(t)}>
          <span>${tableLabel(t)}</span>
          <button type="button" disabled=${action.busy} onClick=${() => track([t])}>Track ${tableLabel(t)}</button>
        </li>`)}
      </ul>
    </section>
    <p><button type="button" class="danger" disabled=${action.busy} onClick=${drop}>Remove database ${source}</button></p>`;
}
