/**
 * GraphiQL in a real browser (DESIGN.md §6 "GraphiQL"; issue 3): Debian's Chromium,
 * headless and offline, loads `GET /` from farjoin's HTTP handler over the demo fixture,
 * GraphiQL renders from local assets, its introspection request succeeds, and running
 * the default query through the UI shows Alice in the result pane.
 *
 * Needs `/usr/bin/chromium` (CI installs it: `apt-get install -y chromium`); without it
 * the suite is skipped and says why. Every request the page makes to anything but this
 * test's server is aborted and recorded, so the test also proves the page needs no network.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, shutdown } from '../../runtime/server/serve.js';
import { startDemo, type DemoContext } from '../helpers/demo.js';
import { sql } from '../helpers/live.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOT = join(tmpdir(), 'graphiql.png');
if (!HAS_CHROMIUM) {
  console.warn(`graphiql-browser: skipped, ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}

const title = HAS_CHROMIUM
  ? 'GraphiQL in headless Chromium (offline)'
  : `GraphiQL in headless Chromium — SKIPPED: ${CHROMIUM} not installed (apt-get install -y chromium)`;

describe.skipIf(!HAS_CHROMIUM)(title, () => {
  let demo: DemoContext;
  let server: Server;
  let baseUrl: string;
  let context: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    demo = await startDemo();
    server = createServer(demo.engine.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    userDataDir = mkdtempSync(join(tmpdir(), 'farjoin-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 800 },
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await demo?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('renders GraphiQL, introspects, and runs the default query showing Alice', async () => {
    const page = await context.newPage();
    const external: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(baseUrl) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    const introspection = page.waitForResponse(async (res) => {
      if (!res.url().startsWith(`${baseUrl}/v1/graphql`) || res.request().method() !== 'POST') return false;
      return (res.request().postData() ?? '').includes('__schema');
    }, { timeout: 20_000 });

    const response = await page.goto(`${baseUrl}/`, { waitUntil: 'domcontentloaded', timeout: 20_000 });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toContain('text/html');
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });

    const intro = await introspection;
    expect(intro.status()).toBe(200);
    const introBody = (await intro.json()) as { data?: { __schema?: { queryType?: { name: string }; types?: { name: string }[] } }; errors?: unknown };
    expect(introBody.errors).toBeUndefined();
    expect(introBody.data?.__schema?.queryType?.name).toBe('query_root');
    expect(introBody.data?.__schema?.types?.map((t) => t.name)).toEqual(expect.arrayContaining(['orders', 'user', 'orders_bool_exp']));

    // The editor holds the default query (orders → user); run it with the execute button.
    const run = page.waitForResponse(async (res) => res.url().startsWith(`${baseUrl}/v1/graphql`) && res.request().method() === 'POST'
      && !(res.request().postData() ?? '').includes('__schema'), { timeout: 20_000 });
    await page.click('.graphiql-execute-button', { timeout: 20_000 });
    const result = await run;
    expect(result.status(), `POST /v1/graphql answered: ${await result.text()}`).toBe(200);
    expect(JSON.stringify(await result.json())).toContain('Alice');

    const pane = page.locator('.graphiql-response, .result-window').first();
    await expect.poll(async () => (await pane.innerText()).includes('Alice'), { timeout: 20_000 }).toBe(true);
    await page.screenshot({ path: SCREENSHOT });

    expect(pageErrors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  }, 60_000);

  it('serves the same page at GET /v1/graphql to a browser (Accept: text/html)', async () => {
    const res = await fetch(`${baseUrl}/v1/graphql`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('graphiql');
  });

  it('runs a live query with a remote relationship over graphql-ws, and shows the update after an insert', async () => {
    // `serve` attaches the WebSocket endpoint on /v1/graphql (the plain handler above has none).
    const live = await startDemo({ liveQueries: { refetchIntervalMs: 100 } });
    const liveServer = await serve(live.engine, 0, '127.0.0.1');
    const liveUrl = `http://127.0.0.1:${(liveServer.address() as AddressInfo).port}`;
    const page = await context.newPage();
    try {
      await page.addInitScript(() => {
        localStorage.clear();
        localStorage.setItem('graphiql:query', 'subscription { orders(order_by: {id: asc}) { id user { name } } }');
      });
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${liveUrl}/`, { waitUntil: 'domcontentloaded', timeout: 20_000 });
      await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
      await page.click('.graphiql-execute-button', { timeout: 20_000 });
      const pane = page.locator('.graphiql-response, .result-window').first();
      await expect.poll(async () => (await pane.innerText()).includes('Alice'), { timeout: 20_000 }).toBe(true);
      expect(live.engine.live.stats().subscribers).toBe(1);
      await sql(live.databases.dbs.source_db!.url, 'INSERT INTO orders (id, user_id) VALUES (77, 2)');
      await expect.poll(async () => (await pane.innerText()).includes('77'), { timeout: 20_000 }).toBe(true);
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
      await shutdown(liveServer, live.engine, { drainTimeoutMs: 1000 });
      await live.close();
    }
  }, 60_000);
});
