/**
 * Select permissions per role (Hasura's Permissions tab): columns, row filter (a boolean
 * expression that may name session variables such as `X-Hasura-User-Id`), row limit and
 * aggregations. Saving sends one `bulk` — drop the role's permission (when it has one),
 * create the new one — so a rejected permission leaves the old one in place.
 */
import { useState } from 'preact/hooks';
import { metadataCall } from './api.js';
import { html } from './html.js';
import type { SelectPermission, TableEntry, TableInfo, TableRef } from './metadata.js';
import { useAction, type ConsoleState } from './state.js';
import { ErrorText } from './widgets.js';

function parseFilter(text: string): unknown {
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`Row filter is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('Row filter must be a JSON object, e.g. {"id": {"_eq": "X-Hasura-User-Id"}}');
  return value;
}

function RoleEditor({ state, table, info, role, existing }: {
  state: ConsoleState; table: TableRef; info: TableInfo; role: string; existing: SelectPermission | undefined;
}) {
  const p = existing?.permission;
  const allNames = info.columns.map((c) => c.name);
  const [columns, setColumns] = useState<string[]>(p ? (p.columns === '*' ? allNames : p.columns) : []);
  const [filter, setFilter] = useState(p?.filter !== undefined ? JSON.stringify(p.filter, null, 2) : '{}');
  const [limit, setLimit] = useState(p?.limit !== undefined ? String(p.limit) : '');
  const [aggregations, setAggregations] = useState(p?.allow_aggregations ?? false);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const at = { source: table.source, table: { schema: table.schema, name: table.name }, role };

  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setSaved(false);
    const ok = await action.run(async () => {
      const permission: Record<string, unknown> = { columns, filter: parseFilter(filter), allow_aggregations: aggregations };
      if (limit.trim()) {
        const n = Number(limit);
        if (!Number.isInteger(n) || n < 0) throw new Error(`Limit must be a whole number of rows, not "${limit}"`);
        permission.limit = n;
      }
      const ops = [
        ...(existing ? [{ type: 'pg_drop_select_permission', args: at }] : []),
        { type: 'pg_create_select_permission', args: { ...at, permission } },
      ];
      await metadataCall('bulk', ops);
      await state.refresh();
    });
    setSaved(ok);
  };
  const remove = () => action.run(async () => {
    await metadataCall('pg_drop_select_permission', at);
    await state.refresh();
  });
  const toggle = (name: string, on: boolean): void => setColumns(on ? [...columns.filter((c) => c !== name), name] : columns.filter((c) => c !== name));

  return html`
    <form class="card" onSubmit=${save} aria-label=${`Select permission for ${role}`}>
      <h3>${role}</h3>
      <fieldset><legend>Columns ${role} may select</legend>
        ${info.columns.map((c) => html`<label class="inline" key=${c.name}>
          <input type="checkbox" checked=${columns.includes(c.name)} onChange=${(e: Event) => toggle(c.name, (e.target as HTMLInputElement).checked)} /> ${c.name}</label>`)}
      </fieldset>
      <label>Row filter for ${role}
        <textarea rows="3" value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLTextAreaElement).value)}
          aria-describedby=${`filter-help-${role}`}></textarea></label>
      <p id=${`filter-help-${role}`} class="muted">A boolean expression, e.g. <code>{"user_id": {"_eq": "X-Hasura-User-Id"}}</code>; session variables come from the request's headers or JWT claims.</p>
      <label>Row limit for ${role} <input inputmode="numeric" value=${limit} onInput=${(e: Event) => setLimit((e.target as HTMLInputElement).value)} /></label>
      <label class="inline"><input type="checkbox" checked=${aggregations} onChange=${(e: Event) => setAggregations((e.target as HTMLInputElement).checked)} /> Allow aggregations for ${role}</label>
      <${ErrorText} error=${action.error} />
      ${saved ? html`<p class="ok" role="status">Saved.</p>` : null}
      <div>
        <button type="submit" disabled=${action.busy}>Save permission for ${role}</button>
        ${existing ? html`<button type="button" class="danger" disabled=${action.busy} onClick=${remove}>Remove permission for ${role}</button>` : null}
      </div>
    </form>`;
}

export function PermissionsTab({ state, table, entry, info }: { state: ConsoleState; table: TableRef; entry: TableEntry; info: TableInfo }) {
  const existing = entry.select_permissions ?? [];
  const [added, setAdded] = useState<string[]>([]);
  const [newRole, setNewRole] = useState('');
  const roles = [...existing.map((p) => p.role), ...added.filter((r) => !existing.some((p) => p.role === r))];
  const addRole = (e: Event): void => {
    e.preventDefault();
    const role = newRole.trim();
    if (role && role !== 'admin' && !roles.includes(role)) setAdded([...added, role]);
    setNewRole('');
  };
  return html`
    <section aria-label="Permissions">
      <h2>Select permissions</h2>
      <p class="muted">The admin role sees everything; every other role sees only what its permission allows.</p>
      ${roles.map((role) => html`<${RoleEditor} key=${role} state=${state} table=${table} info=${info} role=${role}
        existing=${existing.find((p) => p.role === role)} />`)}
      <form onSubmit=${addRole} class="row">
        <label>New role <input value=${newRole} autocomplete="off" onInput=${(e: Event) => setNewRole((e.target as HTMLInputElement).value)} /></label>
        <button type="submit">Add role</button>
      </form>
    </section>`;
}
