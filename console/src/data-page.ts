/**
 * Data: the connected databases with their health, and **Connect database** (DESIGN.md §9):
 * a name and a URL — or the name of an environment variable holding one, which becomes
 * Hasura's `{from_env: NAME}` — sent as `pg_add_source`.
 */
import { useEffect, useState } from 'preact/hooks';
import { metadataCall, sourceHealth } from './api.js';
import { html } from './html.js';
import type { SourceEntry } from './metadata.js';
import { databasePath, navigate } from './router.js';
import { useAction, type ConsoleState } from './state.js';
import { ErrorText, Loading } from './widgets.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What `Database URL` holds: a URL as a string, a variable name as `{from_env}`. */
export function databaseUrl(value: string): string | { from_env: string } {
  const v = value.trim();
  return ENV_NAME.test(v) ? { from_env: v } : v;
}

function urlLabel(source: SourceEntry): string {
  const url = source.configuration?.connection_info?.database_url;
  if (url === undefined) return '';
  // Never show a password: the URL's user info is masked.
  return typeof url === 'string' ? url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@') : `from env ${url.from_env}`;
}

/** Source name → why it does not answer; refreshed when the list changes. */
function useHealth(names: string): Map<string, string> | undefined {
  const [health, setHealth] = useState<Map<string, string> | undefined>(undefined);
  useEffect(() => {
    let live = true;
    sourceHealth().then((h) => live && setHealth(h), () => live && setHealth(undefined));
    return () => {
      live = false;
    };
  }, [names]);
  return health;
}

function ConnectForm({ state, onDone }: { state: ConsoleState; onDone: () => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const action = useAction();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const ok = await action.run(async () => {
      if (!name.trim()) throw new Error('Database name is required');
      if (!url.trim()) throw new Error('Database URL is required: a postgres:// URL or an environment variable name');
      await metadataCall('pg_add_source', {
        name: name.trim(),
        configuration: { connection_info: { database_url: databaseUrl(url) } },
      });
      await state.refresh();
    });
    if (ok) {
      const added = name.trim();
      onDone();
      navigate(databasePath(added));
    }
  };
  return html`
    <form class="card" onSubmit=${submit} aria-label="Connect a database">
      <label>Database name <input name="name" value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} autocomplete="off" /></label>
      <label>Database URL <input name="url" value=${url} placeholder="postgres://user:password@host:5432/db or SOURCE_DB_URL"
        aria-describedby="url-help" onInput=${(e: Event) => setUrl((e.target as HTMLInputElement).value)} autocomplete="off" /></label>
      <p id="url-help" class="muted">A connection URL, or the name of an environment variable of the server that holds one (Hasura's <code>from_env</code>).</p>
      <${ErrorText} error=${action.error} />
      <button type="submit" disabled=${action.busy}>${action.busy ? 'Connecting…' : 'Connect'}</button>
    </form>`;
}

export function DataPage({ state }: { state: ConsoleState }) {
  const [connecting, setConnecting] = useState(false);
  const sources = state.metadata?.sources ?? [];
  const health = useHealth(sources.map((s) => s.name).join('\n'));
  return html`
    <h1>Data</h1>
    <section aria-label="Databases">
      <h2>Databases</h2>
      ${state.metadata === undefined && !state.loadError ? html`<${Loading} what="databases" />` : null}
      ${state.metadata && sources.length === 0 ? html`<p class="muted">No database is connected yet.</p>` : null}
      <ul class="list">
        ${sources.map((s) => {
          const failing = health?.get(s.name);
          return html`<li key=${s.name}>
            <a href=${databasePath(s.name)}>${s.name}</a>
            <span class="muted"> ${urlLabel(s)} · ${s.tables.length} tracked table${s.tables.length === 1 ? '' : 's'} </span>
            ${health === undefined ? null
              : failing === undefined ? html`<span class="ok" aria-label=${`${s.name} health`}>connected</span>`
              : html`<span class="bad" aria-label=${`${s.name} health`}>not answering: ${failing}</span>`}
          </li>`;
        })}
      </ul>
    </section>
    <button type="button" onClick=${() => setConnecting(!connecting)} aria-expanded=${connecting}>Connect database</button>
    ${connecting ? html`<${ConnectForm} state=${state} onDone=${() => setConnecting(false)} />` : null}`;
}
