/**
 * API: the server's own GraphiQL (`/v1/graphql`: query variables, request headers, the
 * documentation explorer, all from local assets) in a frame, and **Analyze**, which takes
 * the query GraphiQL currently holds and shows its plan from `POST /v1/graphql/explain`
 * (DESIGN.md §5.3): each remote join's strategy and reason, each step's SQL, and with
 * "Run with analyze" the rows, statements and time of each step.
 */
import { useRef, useState } from 'preact/hooks';
import { explain, type ExplainResult } from './api.js';
import { html } from './html.js';
import { useAction } from './state.js';
import { ErrorText } from './widgets.js';

interface Current {
  query: string;
  variables: Record<string, unknown> | null;
}

function parseVariables(text: string | undefined): Record<string, unknown> | null {
  if (!text || !text.trim()) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    throw new Error('The query variables in GraphiQL are not valid JSON');
  }
}

interface CodeMirrorHost extends Element {
  CodeMirror?: { getValue(): string };
}

/**
 * The query and variables GraphiQL shows: read from its editors when the frame is loaded
 * (same origin), else from what GraphiQL keeps in localStorage (`graphiql:tabState`,
 * then `graphiql:query` / `graphiql:variables`).
 */
function currentQuery(frame: HTMLIFrameElement | null): Current {
  const doc = frame?.contentDocument;
  const editor = (selector: string): string | undefined =>
    (doc?.querySelector(`${selector} .CodeMirror`) as CodeMirrorHost | null)?.CodeMirror?.getValue();
  const fromEditor = editor('.graphiql-query-editor');
  if (fromEditor?.trim()) return { query: fromEditor, variables: parseVariables(editor('.graphiql-editor-tool [aria-label="Variables"]') ?? editor('.graphiql-editor-tool')) };
  const tabs = localStorage.getItem('graphiql:tabState');
  if (tabs) {
    try {
      const state = JSON.parse(tabs) as { tabs?: { query?: string; variables?: string }[]; activeTabIndex?: number };
      const tab = state.tabs?.[state.activeTabIndex ?? 0];
      if (tab?.query?.trim()) return { query: tab.query, variables: parseVariables(tab.variables) };
    } catch {
      // fall through to the single-query keys
    }
  }
  const query = localStorage.getItem('graphiql:query') ?? '';
  if (!query.trim()) throw new Error('GraphiQL holds no query yet: write one in the editor, then Analyze');
  return { query, variables: parseVariables(localStorage.getItem('graphiql:variables') ?? undefined) };
}

function Plan({ plan }: { plan: ExplainResult }) {
  return html`
    <h3>Remote joins</h3>
    ${plan.remoteJoins.length === 0 ? html`<p class="muted">No remote join: every field is answered by one statement per database.</p>` : html`
      <table class="grid" aria-label="Remote joins">
        <thead><tr><th>Path</th><th>From → to</th><th>Strategy</th><th>Reason</th></tr></thead>
        <tbody>${plan.remoteJoins.map((j) => html`<tr key=${`${j.path}:${j.step}`}>
          <td>${j.path}</td><td>${j.from} → ${j.to}</td><td><strong>${j.strategy}</strong></td><td>${j.reason}</td></tr>`)}</tbody>
      </table>`}
    <h3>Steps</h3>
    <ol class="steps">
      ${plan.steps.map((s) => html`<li key=${s.id}>
        <p><strong>Step ${s.id}</strong> · ${s.kind} on ${s.source}${s.parent !== undefined ? ` (joins to step ${s.parent})` : ''}${s.feeds !== undefined ? ` (feeds step ${s.feeds})` : ''}
          ${s.analyze ? html` · <span>${s.analyze.rows} rows, ${s.analyze.statements} statement${s.analyze.statements === 1 ? '' : 's'}, ${s.analyze.ms.toFixed(2)} ms</span>` : null}</p>
        <pre class="sql">${s.sql}</pre>
      </li>`)}
    </ol>`;
}

export function ApiPage() {
  const frame = useRef<HTMLIFrameElement>(null);
  const [plan, setPlan] = useState<ExplainResult | undefined>(undefined);
  const [analyzeRun, setAnalyzeRun] = useState(false);
  const action = useAction();
  const analyze = () => action.run(async () => {
    const current = currentQuery(frame.current);
    setPlan(await explain(current.query, current.variables, analyzeRun));
  });
  return html`
    <h1>API</h1>
    <iframe ref=${frame} class="graphiql" src="/v1/graphql" title="GraphiQL"></iframe>
    <div class="row">
      <button type="button" disabled=${action.busy} onClick=${analyze}>Analyze</button>
      <label class="inline"><input type="checkbox" checked=${analyzeRun} onChange=${(e: Event) => setAnalyzeRun((e.target as HTMLInputElement).checked)} /> Run with analyze (rows and timings)</label>
    </div>
    <${ErrorText} error=${action.error} />
    <section role="region" aria-label="Plan" class="card">
      <h2>Plan</h2>
      ${plan ? html`<${Plan} plan=${plan} />` : html`<p class="muted">Analyze shows how the current query runs: its statements per database and each remote join's strategy.</p>`}
    </section>`;
}
