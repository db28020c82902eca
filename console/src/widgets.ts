/** Small pieces every page uses. */
import { html } from './html.js';

/** An error as an alert (screen readers announce it; tests read it by role). */
export function ErrorText({ error }: { error: string | undefined }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : null;
}

export function Loading({ what }: { what: string }) {
  return html`<p class="muted" aria-busy="true">Loading ${what}…</p>`;
}
