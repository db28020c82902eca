/**
 * Metadata (Hasura's Settings → Metadata Actions): export as a file (`export_metadata`),
 * import one (`replace_metadata` v2, optionally allowing inconsistencies), reload
 * (`reload_metadata`), and the inconsistent objects (`get_inconsistent_metadata`,
 * `drop_inconsistent_metadata`).
 */
import { useEffect, useState } from 'preact/hooks';
import { metadataCall } from './api.js';
import { html } from './html.js';
import { useAction, type ConsoleState } from './state.js';
import { ErrorText } from './widgets.js';

interface InconsistentObject {
  type?: string;
  name?: string;
  reason?: string;
  definition?: unknown;
}

interface Inconsistency {
  is_consistent: boolean;
  inconsistent_objects: InconsistentObject[];
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function MetadataPage({ state }: { state: ConsoleState }) {
  const action = useAction();
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [file, setFile] = useState<File | undefined>(undefined);
  const [allowInconsistent, setAllowInconsistent] = useState(false);
  const [inconsistency, setInconsistency] = useState<Inconsistency | undefined>(undefined);

  const check = async (): Promise<void> => {
    setInconsistency(await metadataCall<Inconsistency>('get_inconsistent_metadata', {}));
  };
  useEffect(() => {
    void check().catch(() => undefined);
  }, [state.metadata]);

  const exportFile = () => action.run(async () => {
    const body = await metadataCall<{ resource_version: number; metadata: unknown }>('export_metadata', {}, { version: 2 });
    download('metadata.json', `${JSON.stringify(body.metadata, null, 2)}\n`);
    setStatus(`Exported metadata at resource version ${body.resource_version}.`);
  });
  const importFile = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      if (!file) throw new Error('Choose a metadata file (JSON, as export_metadata writes it) first');
      let metadata: unknown;
      try {
        metadata = JSON.parse(await file.text());
      } catch (err) {
        throw new Error(`${file.name} is not valid JSON: ${(err as Error).message}`);
      }
      await metadataCall('replace_metadata', { allow_inconsistent_metadata: allowInconsistent, metadata }, { version: 2 });
      await state.refresh();
      setStatus(`Imported ${file.name}.`);
    });
  };
  const reload = () => action.run(async () => {
    await metadataCall('reload_metadata', { reload_sources: true });
    await state.refresh();
    await check();
    setStatus('Reloaded metadata and every database catalog.');
  });
  const dropInconsistent = () => action.run(async () => {
    await metadataCall('drop_inconsistent_metadata', {});
    await state.refresh();
    await check();
    setStatus('Dropped the inconsistent objects.');
  });

  return html`
    <h1>Metadata</h1>
    <${ErrorText} error=${action.error} />
    ${status ? html`<p class="ok" role="status">${status}</p>` : null}
    <section aria-label="Export and import" class="card">
      <h2>Export and import</h2>
      <p><button type="button" disabled=${action.busy} onClick=${exportFile}>Export metadata</button></p>
      <form onSubmit=${importFile}>
        <label>Metadata file <input type="file" accept=".json,application/json" onChange=${(e: Event) => setFile((e.target as HTMLInputElement).files?.[0])} /></label>
        <label class="inline"><input type="checkbox" checked=${allowInconsistent} onChange=${(e: Event) => setAllowInconsistent((e.target as HTMLInputElement).checked)} /> Allow inconsistent metadata</label>
        <button type="submit" disabled=${action.busy}>Import metadata</button>
      </form>
    </section>
    <section aria-label="Reload" class="card">
      <h2>Reload</h2>
      <p class="muted">Re-reads the metadata and every database's catalog (after a schema change in a database).</p>
      <button type="button" disabled=${action.busy} onClick=${reload}>Reload metadata</button>
    </section>
    <section aria-label="Inconsistent objects" class="card">
      <h2>Inconsistent objects</h2>
      ${inconsistency === undefined ? null : inconsistency.is_consistent
        ? html`<p class="ok">Metadata is consistent.</p>`
        : html`<ul class="list">${inconsistency.inconsistent_objects.map((o, i) => html`<li class="block" key=${i}>
            <strong>${o.name ?? o.type ?? 'object'}</strong>: ${o.reason ?? ''}
            <pre>${JSON.stringify(o.definition, null, 2)}</pre></li>`)}</ul>
          <button type="button" class="danger" disabled=${action.busy} onClick=${dropInconsistent}>Drop inconsistent objects</button>`}
    </section>`;
}
