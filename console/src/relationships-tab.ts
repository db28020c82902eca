/**
 * A table's relationships (DESIGN.md §9; Hasura's Data → table → Relationships): the
 * existing ones by name, local ones suggested from foreign keys (`pg_suggest_relationships`),
 * and **Add relationship**: `To Reference` lists every tracked table of every database;
 * then the type, the name, and one `Target column for <column>` per column, each pair
 * marked comparable or not. **Create relationship** sends one operation: a table of the
 * same database gets `pg_create_object_relationship` / `pg_create_array_relationship`
 * with a manual configuration, a table of another database `pg_create_remote_relationship`
 * with `to_source`. A mapping whose types cannot be compared is refused before anything
 * is sent.
 */
import { useEffect, useState } from 'preact/hooks';
import { metadataCall } from './api.js';
import { html } from './html.js';
import {
  qualified, tableInfo, tableLabel, trackedTables,
  type QualifiedTable, type TableEntry, type TableInfo, type TableRef,
} from './metadata.js';
import { useAction, type Action, type ConsoleState } from './state.js';
import { typesComparable } from './type-compat.js';
import { ErrorText } from './widgets.js';

interface Listed {
  name: string;
  kind: 'object' | 'array';
  remote: boolean;
  target: string;
  mapping: Record<string, string>;
}

function listRelationships(source: string, entry: TableEntry): Listed[] {
  const local = (kind: 'object' | 'array') => (r: NonNullable<TableEntry['object_relationships']>[number]): Listed => {
    const manual = r.using.manual_configuration;
    const fk = r.using.foreign_key_constraint_on;
    return {
      name: r.name, kind, remote: false,
      target: manual ? `${source} / ${tableLabel(qualified(manual.remote_table))}` : `foreign key ${JSON.stringify(fk)}`,
      mapping: manual?.column_mapping ?? {},
    };
  };
  return [
    ...(entry.object_relationships ?? []).map(local('object')),
    ...(entry.array_relationships ?? []).map(local('array')),
    ...(entry.remote_relationships ?? []).map((r): Listed => {
      const to = r.definition.to_source;
      return {
        name: r.name, kind: to?.relationship_type ?? 'object', remote: true,
        target: to ? `${to.source} / ${tableLabel(to.table)}` : 'remote schema',
        mapping: to?.field_mapping ?? {},
      };
    }),
  ];
}

function mappingText(mapping: Record<string, string>): string {
  return Object.entries(mapping).map(([from, to]) => `${from} → ${to}`).join(', ');
}

const refLabel = (t: TableRef): string => `${t.source} / ${t.schema}.${t.name}`;

/** Hasura's suggestion: `{type, from: {table, columns}, to: {table, columns}}`. */
interface Suggestion {
  type: 'object' | 'array';
  from: { table: QualifiedTable | string; columns: string[]; constraint_name?: string };
  to: { table: QualifiedTable | string; columns: string[]; constraint_name?: string };
}

function suggestedName(s: Suggestion): string {
  // Hasura's console names an object relationship after the table it points at and an
  // array relationship after the table whose rows it lists.
  return qualified(s.to.table).name;
}

function Suggestions({ state, table, names, action }: { state: ConsoleState; table: TableRef; names: string[]; action: Action }) {
  const [suggestions, setSuggestions] = useState<Suggestion[] | undefined>(undefined);
  useEffect(() => {
    let live = true;
    metadataCall<{ relationships: Suggestion[] }>('pg_suggest_relationships', {
      source: table.source, tables: [{ schema: table.schema, name: table.name }], omit_tracked: true,
    }).then((r) => live && setSuggestions(r.relationships.filter((s) => {
      const from = qualified(s.from.table);
      return from.schema === table.schema && from.name === table.name;
    })), () => live && setSuggestions([]));
    return () => {
      live = false;
    };
  }, [table.source, table.schema, table.name, names.join('\n')]);
  if (!suggestions || suggestions.length === 0) return null;
  const add = (s: Suggestion) => action.run(async () => {
    const column_mapping = Object.fromEntries(s.from.columns.map((c, i) => [c, s.to.columns[i] ?? c]));
    await metadataCall(s.type === 'object' ? 'pg_create_object_relationship' : 'pg_create_array_relationship', {
      source: table.source, table: { schema: table.schema, name: table.name }, name: suggestedName(s),
      using: { manual_configuration: { remote_table: qualified(s.to.table), column_mapping } },
    });
    await state.refresh();
  });
  return html`
    <section aria-label="Suggested relationships">
      <h3>Suggested from foreign keys</h3>
      <ul class="list">
        ${suggestions.map((s) => {
          const name = suggestedName(s);
          return html`<li key=${`${s.type}:${name}`}>
            <span>${name}</span> <span class="muted">${s.type} → ${tableLabel(qualified(s.to.table))} (${s.from.columns.map((c, i) => `${c} → ${s.to.columns[i]}`).join(', ')})</span>
            <button type="button" disabled=${action.busy || names.includes(name)} onClick=${() => add(s)}>Add ${s.type} relationship ${name}</button>
          </li>`;
        })}
      </ul>
    </section>`;
}

function AddRelationship({ state, table, info, onDone }: { state: ConsoleState; table: TableRef; info: TableInfo; onDone: () => void }) {
  const targets = trackedTables(state.metadata!);
  const [targetKey, setTargetKey] = useState('');
  const [kind, setKind] = useState<'object' | 'array'>('object');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [targetInfo, setTargetInfo] = useState<TableInfo | undefined>(undefined);
  const [targetError, setTargetError] = useState<string | undefined>(undefined);
  const action = useAction();
  const target = targets.find((t) => refLabel(t) === targetKey);

  useEffect(() => {
    let live = true;
    setTargetInfo(undefined);
    setTargetError(undefined);
    setMapping({});
    action.clear();
    if (target) {
      tableInfo(target).then((i) => live && setTargetInfo(i), (e: Error) => live && setTargetError(`${target.source} does not answer: ${e.message}`));
    }
    return () => {
      live = false;
    };
  }, [targetKey]);

  // Until the user types one, the name is the target table's, as Hasura's console suggests
  // (an object relationship names the row it points at, an array one the rows it lists).
  useEffect(() => {
    if (nameTouched || !target) return;
    setName(target.name);
  }, [targetKey]);

  const pairs = info.columns.flatMap((c) => {
    const to = mapping[c.name];
    const toCol = to ? targetInfo?.columns.find((t) => t.name === to) : undefined;
    return toCol ? [{ from: c, to: toCol, ok: typesComparable(c.type, toCol.type) }] : [];
  });

  const create = async (e: Event): Promise<void> => {
    e.preventDefault();
    const ok = await action.run(async () => {
      if (!target) throw new Error('Choose the table the relationship points at under To Reference');
      if (!name.trim()) throw new Error('Relationship name is required');
      if (pairs.length === 0) throw new Error('Map at least one column to a target column');
      const bad = pairs.filter((p) => !p.ok);
      if (bad.length > 0) {
        throw new Error(`Nothing was created: ${bad.map((p) => `${p.from.name} (${p.from.type}) cannot be compared with ${p.to.name} (${p.to.type})`).join('; ')}. Map columns of compatible types.`);
      }
      const columns = Object.fromEntries(pairs.map((p) => [p.from.name, p.to.name]));
      const at = { source: table.source, table: { schema: table.schema, name: table.name }, name: name.trim() };
      const to = { schema: target.schema, name: target.name };
      if (target.source === table.source) {
        await metadataCall(kind === 'object' ? 'pg_create_object_relationship' : 'pg_create_array_relationship', {
          ...at, using: { manual_configuration: { remote_table: to, column_mapping: columns } },
        });
      } else {
        await metadataCall('pg_create_remote_relationship', {
          ...at, definition: { to_source: { source: target.source, table: to, relationship_type: kind, field_mapping: columns } },
        });
      }
      await state.refresh();
    });
    if (ok) onDone();
  };

  const radio = (value: 'object' | 'array', label: string) => html`<label class="inline">
    <input type="radio" name="relationship-type" value=${value} checked=${kind === value} onChange=${() => setKind(value)} /> ${label}</label>`;

  return html`
    <form class="card" onSubmit=${create} aria-label="Add relationship">
      <label>To Reference
        <select value=${targetKey} onChange=${(e: Event) => setTargetKey((e.target as HTMLSelectElement).value)}>
          <option value="">Choose a table…</option>
          ${targets.map((t) => html`<option key=${refLabel(t)} value=${refLabel(t)}>${refLabel(t)}</option>`)}
        </select>
      </label>
      <fieldset><legend>Relationship type</legend>${radio('object', 'Object')} ${radio('array', 'Array')}</fieldset>
      <label>Relationship name <input value=${name} autocomplete="off"
        onInput=${(e: Event) => { setNameTouched(true); setName((e.target as HTMLInputElement).value); }} /></label>
      ${targetError ? html`<p class="error" role="alert">${targetError}</p>` : null}
      ${target && targetInfo ? html`
        <fieldset><legend>Column mapping: ${table.schema}.${table.name} → ${refLabel(target)}</legend>
          <table class="grid">
            <thead><tr><th>Column</th><th>Target column</th><th>Comparable</th></tr></thead>
            <tbody>
              ${info.columns.map((c) => {
                const pair = pairs.find((p) => p.from.name === c.name);
                return html`<tr key=${c.name}>
                  <td>${c.name} <span class="muted">${c.type}</span></td>
                  <td><label class="sr-only" for=${`map-${c.name}`}>Target column for ${c.name}</label>
                    <select id=${`map-${c.name}`} value=${mapping[c.name] ?? ''}
                      onChange=${(e: Event) => { action.clear(); setMapping({ ...mapping, [c.name]: (e.target as HTMLSelectElement).value }); }}>
                      <option value="">—</option>
                      ${targetInfo.columns.map((t) => html`<option key=${t.name} value=${t.name}>${t.name} (${t.type})</option>`)}
                    </select></td>
                  <td>${pair ? html`<span class=${pair.ok ? 'ok' : 'bad'} aria-label=${`${c.name} → ${pair.to.name} comparability`}>${pair.ok
                    ? `comparable (${c.type} ↔ ${pair.to.type})` : `cannot be compared (${c.type} ↔ ${pair.to.type})`}</span>` : null}</td>
                </tr>`;
              })}
            </tbody>
          </table>
        </fieldset>` : null}
      <${ErrorText} error=${action.error} />
      <button type="submit" disabled=${action.busy}>Create relationship</button>
      <button type="button" class="secondary" onClick=${onDone}>Cancel</button>
    </form>`;
}

export function RelationshipsTab({ state, table, entry, info }: { state: ConsoleState; table: TableRef; entry: TableEntry; info: TableInfo }) {
  const [adding, setAdding] = useState(false);
  const action = useAction();
  const listed = listRelationships(table.source, entry);
  const at = { source: table.source, table: { schema: table.schema, name: table.name } };
  const drop = (r: Listed) => action.run(async () => {
    if (r.remote) await metadataCall('pg_delete_remote_relationship', { ...at, name: r.name });
    else await metadataCall('pg_drop_relationship', { ...at, relationship: r.name, cascade: true });
    await state.refresh();
  });
  return html`
    <section aria-label="Relationships">
      <h2>Relationships</h2>
      ${listed.length === 0 ? html`<p class="muted">No relationship yet.</p>` : null}
      <ul class="list" aria-label="Existing relationships">
        ${listed.map((r) => html`<li key=${r.name}>
          <strong>${r.name}</strong>
          <span class="muted"> ${r.kind}${r.remote ? ' remote' : ''} → ${r.target} (${mappingText(r.mapping)})</span>
          <button type="button" class="secondary" disabled=${action.busy} onClick=${() => drop(r)}>Remove relationship ${r.name}</button>
        </li>`)}
      </ul>
      <${ErrorText} error=${action.error} />
      <${Suggestions} state=${state} table=${table} names=${listed.map((r) => r.name)} action=${action} />
      ${adding ? html`<${AddRelationship} state=${state} table=${table} info=${info} onDone=${() => setAdding(false)} />`
        : html`<button type="button" onClick=${() => setAdding(true)}>Add relationship</button>`}
    </section>`;
}
