/**
 * The console in a real browser (issue 13; DESIGN.md §1 steps 1–3, §9 "Console"): Debian's
 * Chromium, headless and offline, drives `farjoin serve` started with empty metadata and
 * two databases holding the §2 example, by clicking and typing only — it never calls the
 * API itself:
 *   1. connects both databases (one by environment variable, one by URL), tracks `orders`
 *      and `user` (and, with Track all, a table with a foreign key to orders, whose local
 *      relationship is then added from the suggestions);
 *   2. on orders → Relationships, a mapping of columns whose types cannot be compared is
 *      refused with a clear error and nothing is created; then the object relationship
 *      `user` (orders.user_id → user.id, to the other database) is created;
 *   3. on API, runs the example query in GraphiQL and reads the documented answer off the
 *      page; Analyze shows the plan (strategy, reason, SQL) in the region `Plan`, and with
 *      "Run with analyze" each step's rows.
 * A database that does not answer gets a clear error and is not added. Finally the server
 * restarts on the same metadata file and serves the relationship made in the console.
 * Screenshots go to $FARJOIN_ARTIFACTS (or a temporary folder, printed).
 *
 * Needs `/usr/bin/chromium` (.ci/run installs it); without it the suite is skipped and says
 * why. Runs the built CLI (`npm test` builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageFile } from '../../runtime/paths.js';
import type { TestDatabases } from '../helpers/databases.js';
import { demoDatabases, EXAMPLE_ANSWER as ANSWER, EXAMPLE_QUERY as EXAMPLE } from '../helpers/metadata-api.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`console-browser: skipped, ${CHROMIUM} is not installed (apt-get install -y chromium)`);

const NOTES_SQL = 'CREATE TABLE order_notes (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders (id), note text); INSERT INTO order_notes VALUES (1, 2, \'gift\'), (2, 2, \'fragile\');';

interface Served {
  readonly child: ChildProcess;
  readonly base: string;
  stop(): Promise<void>;
}

/** `farjoin serve` on a free port; resolves once it logs `listening`. */
async function startServe(metadataFile: string, env: Record<string, string>, extraArgs: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [packageFile('bin', 'farjoin.js'), 'serve', '--metadata', metadataFile, '--port', '0', '--host', '127.0.0.1', ...extraArgs], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`farjoin serve did not start: ${stderr}`)), 30_000);
    void exited.then(() => reject(new Error(`farjoin serve exited: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // not a log line
      }
    });
  });
  return {
    child, base: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Checks what the server serves after a change made in the console (the test's only direct request). */
async function graphql(served: Served, query: string, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(`${served.base}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return res.json();
}

const title = HAS_CHROMIUM
  ? 'console in headless Chromium: connect, track, relate across databases, query, analyze'
  : `console in headless Chromium — SKIPPED: ${CHROMIUM} not installed (apt-get install -y chromium)`;

describe.skipIf(!HAS_CHROMIUM)(title, () => {
  let databases: TestDatabases;
  let dir: string;
  let metadataFile: string;
  let env: Record<string, string>;
  let served: Served | undefined;
  let context: BrowserContext;
  let page: Page;
  // One folder, overwritten by each run (not a new one per run).
  const artifacts = process.env.FARJOIN_ARTIFACTS ?? join(tmpdir(), 'farjoin-console-artifacts');
  const external: string[] = [];
  const pageErrors: string[] = [];
  let shot = 0;
  const screenshot = async (name: string): Promise<void> => {
    // The page down to the end of its content (the viewport is tall for GraphiQL's sake).
    const height = await page.evaluate(() => Math.ceil(document.querySelector('main')?.getBoundingClientRect().bottom ?? 800));
    await page.screenshot({ path: join(artifacts, `console-${String(++shot).padStart(2, '0')}-${name}.png`), clip: { x: 0, y: 0, width: 1280, height: Math.min(2000, height + 16) } });
  };

  beforeAll(async () => {
    // The demo's databases, plus a table with a foreign key to orders (for the suggestions).
    ({ databases } = await demoDatabases({ source: `;\n${NOTES_SQL}` }));
    dir = mkdtempSync(join(tmpdir(), 'farjoin-console-'));
    metadataFile = join(dir, 'metadata.json');
    writeFileSync(metadataFile, JSON.stringify({ version: 3, sources: [] }));
    env = { SOURCE_DB_URL: databases.dbs.source_db!.url };
    served = await startServe(metadataFile, env);
    mkdirSync(artifacts, { recursive: true });
    console.info(`console-browser: screenshots in ${artifacts}`);
    context = await chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      // Tall enough that GraphiQL shows the whole answer (its editor renders visible lines only).
      viewport: { width: 1280, height: 2000 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(served!.base) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await served?.stop();
    await databases?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function connect(name: string, url: string): Promise<void> {
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('button', { name: 'Connect database' }).click();
    await page.getByLabel('Database name').fill(name);
    await page.getByLabel('Database URL').fill(url);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
  }

  it('step 1: connects both databases and tracks orders and user; a database that does not answer is refused', async () => {
    await page.goto(`${served!.base}/console`);
    await expect.poll(() => page.getByRole('heading', { name: 'Data', exact: true }).count()).toBe(1);

    // A database that does not answer: a clear error, and nothing added.
    await connect('nowhere', 'postgres://farjoin@127.0.0.1:1/none');
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/nowhere|connect|ECONNREFUSED/i);
    await screenshot('unreachable-database');
    expect(await page.getByRole('link', { name: 'nowhere', exact: true }).count()).toBe(0);

    // source_db by environment variable (Hasura's from_env), target_db by URL.
    await page.getByLabel('Database name').fill('source_db');
    await page.getByLabel('Database URL').fill('SOURCE_DB_URL');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('button', { name: 'Track public.orders', exact: true }).click();
    await page.getByRole('link', { name: 'public.orders', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Track all', exact: true }).click();
    await page.getByRole('link', { name: 'public.order_notes', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: /^Track / }).count()).toBe(0);

    await connect('target_db', databases.dbs.target_db!.url);
    await page.getByRole('button', { name: 'Track public.user', exact: true }).click();
    await page.getByRole('link', { name: 'public.user', exact: true }).waitFor();

    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('link', { name: 'source_db', exact: true }).waitFor();
    await page.getByRole('link', { name: 'target_db', exact: true }).waitFor();
    await expect.poll(() => page.getByLabel('target_db health').innerText()).toBe('connected');
    await screenshot('databases');
  }, 60_000);

  it('step 2: refuses a mapping that cannot be compared, then creates the remote object relationship user', async () => {
    await page.getByRole('link', { name: 'source_db', exact: true }).click();
    await page.getByRole('link', { name: 'public.orders', exact: true }).click();
    await page.getByRole('tab', { name: 'Relationships' }).click();
    await page.getByRole('button', { name: 'Add relationship' }).click();

    const toReference = page.getByRole('combobox', { name: 'To Reference' });
    const options = await toReference.locator('option').allInnerTexts();
    expect(options.slice(1)).toEqual(['source_db / public.orders', 'source_db / public.order_notes', 'target_db / public.user']);
    await toReference.selectOption({ label: 'target_db / public.user' });
    await page.getByRole('radio', { name: 'Object' }).check();
    // The console suggests the target's name once the target is chosen; typing over it before
    // that suggestion has rendered could interleave with it (a loaded machine saw "useruser").
    const relationshipName = page.getByRole('textbox', { name: 'Relationship name' });
    await expect.poll(() => relationshipName.inputValue()).toBe('user');
    await relationshipName.fill('user');
    await expect.poll(() => relationshipName.inputValue()).toBe('user');

    // orders.id (integer) → user.name (text): shown as not comparable, refused, nothing made.
    await page.getByRole('combobox', { name: 'Target column for id' }).selectOption('name');
    await expect.poll(() => page.getByLabel('id → name comparability').innerText()).toMatch(/cannot be compared/);
    await page.getByRole('button', { name: 'Create relationship' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/cannot be compared/);
    await screenshot('mapping-refused');
    expect(await page.getByText('No relationship yet.').count()).toBe(1);

    await page.getByRole('combobox', { name: 'Target column for id' }).selectOption('');
    await page.getByRole('combobox', { name: 'Target column for user_id' }).selectOption('id');
    await expect.poll(() => page.getByLabel('user_id → id comparability').innerText()).toMatch(/^comparable/);
    await screenshot('add-relationship');
    await page.getByRole('button', { name: 'Create relationship' }).click();

    const listed = page.getByRole('list', { name: 'Existing relationships' }).getByRole('listitem');
    await expect.poll(() => listed.allInnerTexts()).toEqual([expect.stringMatching(/^user\s+object remote → target_db \/ public\.user \(user_id → id\)/)]);
    await screenshot('relationship-created');
  }, 60_000);

  it('creates the reverse remote array relationship user.orders (id → user_id)', async () => {
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('link', { name: 'target_db', exact: true }).click();
    await page.getByRole('link', { name: 'public.user', exact: true }).click();
    await page.getByRole('tab', { name: 'Relationships' }).click();
    await page.getByRole('button', { name: 'Add relationship' }).click();
    await page.getByRole('combobox', { name: 'To Reference' }).selectOption({ label: 'source_db / public.orders' });
    await page.getByRole('radio', { name: 'Array' }).check();
    // The name follows Hasura's console: an array relationship is named after its rows' table.
    await expect.poll(() => page.getByRole('textbox', { name: 'Relationship name' }).inputValue()).toBe('orders');
    await page.getByRole('combobox', { name: 'Target column for id' }).selectOption('user_id');
    await page.getByRole('button', { name: 'Create relationship' }).click();
    const listed = page.getByRole('list', { name: 'Existing relationships' }).getByRole('listitem');
    await expect.poll(() => listed.allInnerTexts()).toEqual([expect.stringMatching(/^orders\s+array remote → source_db \/ public\.orders \(id → user_id\)/)]);
    expect(await graphql(served!, '{ user(where: {name: {_like: "A%"}}) { name orders(order_by: {id: desc}, limit: 2) { id } } }')).toEqual({ data: { user: [{ name: 'Alice', orders: [{ id: 2 }, { id: 1 }] }] } });
  }, 60_000);

  it('suggests the local relationship along a foreign key, and adds it', async () => {
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('link', { name: 'source_db', exact: true }).click();
    await page.getByRole('link', { name: 'public.order_notes', exact: true }).click();
    await page.getByRole('tab', { name: 'Relationships' }).click();
    await page.getByRole('button', { name: 'Add object relationship orders' }).click();
    const listed = page.getByRole('list', { name: 'Existing relationships' }).getByRole('listitem');
    await expect.poll(() => listed.allInnerTexts()).toEqual([expect.stringMatching(/^orders\s+object → source_db \/ public\.orders \(order_id → id\)/)]);
    expect(await graphql(served!, '{ order_notes(order_by: {id: asc}) { note orders { id user { name } } } }')).toEqual({ data: { order_notes: [
      { note: 'gift', orders: { id: 2, user: { name: 'Alice' } } },
      { note: 'fragile', orders: { id: 2, user: { name: 'Alice' } } },
    ] } });
  }, 60_000);

  it('step 3: runs the example query in GraphiQL, reads the answer off the page, and Analyze shows the plan', async () => {
    await page.getByRole('link', { name: 'API', exact: true }).click();
    const graphiql = page.frameLocator('iframe[title="GraphiQL"]');
    // GraphiQL opens with the example query; run it with its execute button.
    await graphiql.locator('.graphiql-execute-button').click();
    const response = graphiql.locator('.graphiql-response');
    await expect.poll(async () => (await response.innerText()).includes('Carol'), { timeout: 20_000 }).toBe(true);
    const text = (await response.innerText()).replace(/\u00a0/g, ' ');
    expect(JSON.parse(text)).toEqual(ANSWER);

    await page.getByRole('button', { name: 'Analyze' }).click();
    const plan = page.getByRole('region', { name: 'Plan' });
    await expect.poll(() => plan.innerText()).toMatch(/orders\.user/);
    const planText = await plan.innerText();
    expect(planText).toMatch(/source_db → target_db/);
    expect(planText).toMatch(/two-phase|fdw|semi-join/);
    expect(planText).toMatch(/= ANY|postgres_fdw|fdw/); // the strategy's reason
    expect(planText).toMatch(/FROM "public"\."orders"/);
    expect(planText).toMatch(/FROM "public"\."user"/);
    await screenshot('api-plan');

    // With analyze: each step's rows (6 orders; 3 users for the 4 distinct keys).
    await page.getByRole('checkbox', { name: /Run with analyze/ }).check();
    await page.getByRole('button', { name: 'Analyze' }).click();
    await expect.poll(() => plan.innerText()).toMatch(/Step 1 · fetch on source_db · 6 rows, 1 statement/);
    expect(await plan.innerText()).toMatch(/Step 2 · remote-join on target_db \(joins to step 1\) · 3 rows, 1 statement/);

    expect(pageErrors).toEqual([]);
    expect(external).toEqual([]);
  }, 60_000);

  it('a select permission made in the Permissions tab limits what a role sees', async () => {
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('link', { name: 'target_db', exact: true }).click();
    await page.getByRole('link', { name: 'public.user', exact: true }).click();
    await page.getByRole('tab', { name: 'Permissions' }).click();
    await page.getByLabel('New role').fill('reader');
    await page.getByRole('button', { name: 'Add role' }).click();
    const editor = page.getByRole('form', { name: 'Select permission for reader' });
    await editor.getByRole('checkbox', { name: 'id', exact: true }).check();
    await editor.getByRole('checkbox', { name: 'name', exact: true }).check();
    await editor.getByLabel('Row filter for reader').fill('{"id": {"_in": ["X-Hasura-User-Id", 3]}}');
    // Not valid JSON first: a clear error, nothing saved.
    await editor.getByLabel('Row limit for reader').fill('ten');
    await editor.getByRole('button', { name: 'Save permission for reader' }).click();
    await expect.poll(() => editor.getByRole('alert').innerText()).toMatch(/Limit must be a whole number/);
    await editor.getByLabel('Row limit for reader').fill('1');
    await editor.getByRole('button', { name: 'Save permission for reader' }).click();
    await expect.poll(() => editor.getByRole('status').innerText()).toBe('Saved.');
    await screenshot('permissions');

    const asReader = (userId: string): Promise<unknown> =>
      graphql(served!, '{ user(order_by: {id: asc}) { id name } }', { 'x-hasura-role': 'reader', 'x-hasura-user-id': userId });
    // Session user 2: the filter keeps users 2 and 3, the limit of 1 the first of them.
    expect(await asReader('2')).toEqual({ data: { user: [{ id: 2, name: 'Bob' }] } });
    // Session user 99 (no such user): the filter keeps user 3 alone.
    expect(await asReader('99')).toEqual({ data: { user: [{ id: 3, name: 'Carol' }] } });
  }, 60_000);

  it('Metadata exports a file that imports back unchanged, and reports consistency', async () => {
    await page.getByRole('link', { name: 'Metadata', exact: true }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Inconsistent objects' }).innerText()).toMatch(/Metadata is consistent/);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export metadata' }).click();
    const file = join(dir, 'exported.json');
    await (await download).saveAs(file);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { sources: { name: string; tables: { table: { name: string }; remote_relationships?: { name: string }[]; select_permissions?: { role: string }[] }[] }[] };
    const orders = exported.sources.find((s) => s.name === 'source_db')?.tables.find((t) => t.table.name === 'orders');
    expect(orders?.remote_relationships?.map((r) => r.name)).toEqual(['user']);
    const user = exported.sources.find((s) => s.name === 'target_db')?.tables.find((t) => t.table.name === 'user');
    expect(user?.select_permissions?.map((p) => p.role)).toEqual(['reader']);

    await page.getByLabel('Metadata file').setInputFiles(file);
    await page.getByRole('button', { name: 'Import metadata' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Imported exported.json.');
    await page.getByRole('button', { name: 'Reload metadata' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toMatch(/^Reloaded/);

    // A file naming a table that does not exist: refused, unless inconsistencies are allowed;
    // then listed, and dropped on request.
    const broken = join(dir, 'broken.json');
    const withMissing = structuredClone(exported);
    withMissing.sources.find((s) => s.name === 'source_db')!.tables.push({ table: { schema: 'public', name: 'no_such_table' } } as never);
    writeFileSync(broken, JSON.stringify(withMissing));
    await page.getByLabel('Metadata file').setInputFiles(broken);
    await page.getByRole('button', { name: 'Import metadata' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/no_such_table/);
    await page.getByRole('checkbox', { name: 'Allow inconsistent metadata' }).check();
    await page.getByRole('button', { name: 'Import metadata' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Imported broken.json.');
    const inconsistent = page.getByRole('region', { name: 'Inconsistent objects' });
    await expect.poll(() => inconsistent.innerText()).toMatch(/no_such_table/);
    await screenshot('metadata-inconsistent');
    await page.getByRole('button', { name: 'Drop inconsistent objects' }).click();
    await expect.poll(() => inconsistent.innerText()).toMatch(/Metadata is consistent/);
    expect(await graphql(served!, EXAMPLE)).toEqual(ANSWER);
  }, 60_000);

  it('untracks a table with its relationships, and lists it as untracked again', async () => {
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('link', { name: 'source_db', exact: true }).click();
    await page.getByRole('button', { name: 'Untrack public.order_notes' }).click();
    await page.getByRole('button', { name: 'Track public.order_notes', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'public.order_notes', exact: true }).count()).toBe(0);
    const answer = await graphql(served!, '{ order_notes { id } }') as { errors?: { message: string }[] };
    expect(answer.errors?.[0]?.message).toMatch(/order_notes/);
    expect(await graphql(served!, EXAMPLE)).toEqual(ANSWER);
  }, 60_000);

  it('the metadata made in the console survives a restart', async () => {
    await served!.stop();
    served = await startServe(metadataFile, env);
    expect(await graphql(served, EXAMPLE)).toEqual(ANSWER);
  }, 60_000);

  it('asks for the admin secret of a server that has one; once saved, the pages and GraphiQL send it', async () => {
    // The same metadata, on a server that needs an admin secret.
    const guardedFile = join(dir, 'guarded.json');
    writeFileSync(guardedFile, readFileSync(metadataFile));
    const guarded = await startServe(guardedFile, env, ['--admin-secret', 'c0nsole-secret']);
    const other = await context.newPage();
    try {
      await other.goto(`${guarded.base}/console/data`);
      await expect.poll(() => other.getByRole('alert').innerText()).toMatch(/needs its admin secret/);
      await other.getByLabel('Admin secret').fill('c0nsole-secret');
      await other.getByRole('button', { name: 'Save secret' }).click();
      await other.getByRole('link', { name: 'source_db', exact: true }).waitFor();
      expect(await other.getByRole('alert').count()).toBe(0);
      // Kept for the next visit (localStorage of this origin), and used by GraphiQL on API.
      await other.reload();
      await other.getByRole('link', { name: 'API', exact: true }).click();
      const graphiql = other.frameLocator('iframe[title="GraphiQL"]');
      await graphiql.locator('.graphiql-execute-button').click();
      const response = graphiql.locator('.graphiql-response');
      await expect.poll(async () => (await response.innerText()).includes('Carol'), { timeout: 20_000 }).toBe(true);
      expect(JSON.parse((await response.innerText()).replace(/\u00a0/g, ' '))).toEqual(ANSWER);
    } finally {
      await other.close();
      await guarded.stop();
    }
  }, 60_000);
});
