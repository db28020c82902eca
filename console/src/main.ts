/**
 * The farjoin console (DESIGN.md §6 "console", §9): Data, API and Metadata pages over
 * `/v1/metadata` and `/v1/graphql`, with the admin secret in the header. Preact + htm
 * (no bundler: the page's import map points at console/dist/vendor).
 */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { adminSecret, setAdminSecret } from './api.js';
import { ApiPage } from './api-page.js';
import { DataPage } from './data-page.js';
import { DatabasePage } from './database-page.js';
import { html } from './html.js';
import { MetadataPage } from './metadata-page.js';
import { BASE, useRoute, type Route } from './router.js';
import { useMetadata, type ConsoleState } from './state.js';
import { TablePage } from './table-page.js';

function SecretBox({ onChange }: { onChange: () => void }) {
  const [value, setValue] = useState(adminSecret());
  return html`
    <form class="secret" onSubmit=${(e: Event) => { e.preventDefault(); setAdminSecret(value); onChange(); }}>
      <label>Admin secret <input type="password" value=${value} autocomplete="off"
        onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} /></label>
      <button type="submit" class="secondary">Save secret</button>
    </form>`;
}

function Page({ route, state }: { route: Route; state: ConsoleState }) {
  switch (route.page) {
    case 'data':
      return html`<${DataPage} state=${state} />`;
    case 'database':
      return html`<${DatabasePage} key=${route.source} state=${state} source=${route.source} />`;
    case 'table':
      return html`<${TablePage} state=${state} table=${{ source: route.source, schema: route.schema, name: route.name }} tab=${route.tab} />`;
    case 'api':
      return html`<${ApiPage} />`;
    case 'metadata':
      return html`<${MetadataPage} state=${state} />`;
  }
}

function App() {
  const route = useRoute();
  const state = useMetadata();
  const section = route.page === 'api' ? 'api' : route.page === 'metadata' ? 'metadata' : 'data';
  const link = (id: string, href: string, name: string) =>
    html`<a href=${href} aria-current=${section === id ? 'page' : undefined}>${name}</a>`;
  return html`
    <header>
      <span class="brand">farjoin</span>
      <nav aria-label="Console">
        ${link('data', `${BASE}/data`, 'Data')}
        ${link('api', `${BASE}/api`, 'API')}
        ${link('metadata', `${BASE}/metadata`, 'Metadata')}
      </nav>
      <${SecretBox} onChange=${() => void state.refresh()} />
    </header>
    <main>
      ${state.loadError ? html`<p class="error" role="alert">Cannot read the metadata: ${state.loadError}</p>` : null}
      <${Page} route=${route} state=${state} />
    </main>`;
}

render(html`<${App} />`, document.getElementById('app')!);
