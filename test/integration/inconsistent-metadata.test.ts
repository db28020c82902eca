/**
 * Inconsistent metadata as Hasura treats it (issue 11, item 1; DESIGN.md §3): objects that
 * cannot be served are reported with path, reason and fix in Hasura's
 * get_inconsistent_metadata shape, left out of the schema, and everything else is served.
 * The fixture is a metadata export (test/fixtures/inconsistent-export.yaml) with an int →
 * text relationship, a remote-schema relationship, a relationship to an undeclared source,
 * an unknown table, an unknown permission column and a cross-source root-field collision.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { readMetadataFile } from '../../runtime/metadata-file.js';
import { packageFile } from '../../runtime/paths.js';
import { runCli } from '../helpers/cli.js';
import { createDatabases, type TestDatabases } from '../helpers/databases.js';
import { useFixture } from '../helpers/lifecycle.js';
import { listen } from '../helpers/http.js';

const FIXTURE = packageFile('test', 'fixtures', 'inconsistent-export.yaml');

interface Fixture {
  databases: TestDatabases;
  env: Record<string, string>;
  engine: Engine;
}

const fixture = useFixture<Fixture>(async () => {
  const databases = await createDatabases({
    shop: { server: 'a', sql: `
      CREATE TABLE orders (id int PRIMARY KEY, customer_id int, customer_code int, note text);
      INSERT INTO orders VALUES (1, 1, 10, 'first'), (2, 2, 20, 'second'), (3, NULL, NULL, 'none');
      CREATE TABLE notes (id int PRIMARY KEY, body text);
      INSERT INTO notes VALUES (1, 'shop note');` },
    crm: { server: 'b', sql: `
      CREATE TABLE customers (id int PRIMARY KEY, code text, name text);
      INSERT INTO customers VALUES (1, '10', 'Ada'), (2, '20', 'Grace');
      CREATE TABLE notes (id int PRIMARY KEY, text text);` },
  });
  const env = { SHOP_DB_URL: databases.dbs.shop!.url, CRM_DB_URL: databases.dbs.crm!.url };
  const engine = await createEngine({ metadataPath: FIXTURE, env, adminSecret: 's3cret' });
  return { databases, env, engine };
}, async (f) => {
  await f.engine.close();
  await f.databases.drop();
});

const admin = { 'x-hasura-admin-secret': 's3cret' };

describe('inconsistent objects are reported and left out; the rest is served', () => {
  it('lists each object in Hasura\'s shape, with path and fix', () => {
    const list = fixture().engine.inconsistencies();
    const byName = Object.fromEntries(list.map((o) => [o.name, o]));
    expect(Object.keys(byName).sort()).toEqual([
      'remote_relationship customer_by_code in table orders in source shop',
      'remote_relationship reviews in table orders in source shop',
      'remote_relationship stock in table orders in source shop',
      'remote_schema reviews_api',
      'select_permission user in table customers in source crm',
      'table notes in source crm',
      'table shipments in source shop',
    ]);
    const intText = byName['remote_relationship customer_by_code in table orders in source shop']!;
    expect(intText).toEqual({
      type: 'remote_relationship',
      name: 'remote_relationship customer_by_code in table orders in source shop',
      reason: 'Inconsistent object: in table "orders": in remote relationship "customer_by_code": join key shop.orders.customer_code (int4) cannot be compared with crm.customers.code (text)',
      definition: expect.objectContaining({ name: 'customer_by_code', source: 'shop', table: { schema: 'public', name: 'orders' } }),
      path: '$.sources[0].tables[0].remote_relationships[1].definition.to_source',
      fix: 'change a column type, or map columns of compatible types',
    });
    expect(byName['remote_relationship reviews in table orders in source shop']).toMatchObject({
      path: '$.sources[0].tables[0].remote_relationships[2].definition',
      reason: expect.stringContaining('remote schema relationships are not supported by farjoin'),
    });
    expect(byName['remote_relationship stock in table orders in source shop']).toMatchObject({
      path: '$.sources[0].tables[0].remote_relationships[3].definition.to_source.source',
      reason: expect.stringContaining('the target source "inventory" is not declared in the metadata'),
      fix: 'add source "inventory" under "sources", or fix the name',
    });
    expect(byName['table shipments in source shop']).toMatchObject({
      type: 'table', definition: { schema: 'public', name: 'shipments' },
      reason: 'Inconsistent object: no such table/view exists in source: "public.shipments"',
    });
    expect(byName['table notes in source crm']!.reason).toBe('Inconsistent object: Found conflicting definitions for "notes".  The definition at "table notes in source shop" differs from the the definition at "table notes in source crm".');
    expect(byName['select_permission user in table customers in source crm']).toMatchObject({
      path: '$.sources[1].tables[0].select_permissions[0].permission.columns',
      reason: 'Inconsistent object: in table "customers": in permission for role "user": column "emial" does not exist in public.customers',
    });
  });

  it('serves the consistent relationships in both directions with real rows', async () => {
    const r = await fixture().engine.execute({ headers: admin, query: '{ orders(order_by: {id: asc}) { id customer { name } } notes { body } customers(order_by: {id: asc}) { name orders { id } } }' });
    expect(r).toEqual({ data: {
      orders: [{ id: 1, customer: { name: 'Ada' } }, { id: 2, customer: { name: 'Grace' } }, { id: 3, customer: null }],
      notes: [{ body: 'shop note' }],
      customers: [{ name: 'Ada', orders: [{ id: 1 }] }, { name: 'Grace', orders: [{ id: 2 }] }],
    } });
  });

  it('leaves the inconsistent objects out of the schema', async () => {
    const { engine } = fixture();
    const field = await engine.execute({ headers: admin, query: '{ orders { customer_by_code { name } } }' });
    expect(field.errors?.[0]?.message).toBe("field 'customer_by_code' not found in type: 'orders'");
    const table = await engine.execute({ headers: admin, query: '{ shipments { id } }' });
    expect(table.errors?.[0]?.message).toBe("field 'shipments' not found in type: 'query_root'");
    // The user role keeps its orders permission; its inconsistent customers permission is gone (fails closed).
    const user = await engine.execute({ headers: { ...admin, 'x-hasura-role': 'user', 'x-hasura-user-id': '1' }, query: '{ orders { id note } }' });
    expect(user).toEqual({ data: { orders: [{ id: 1, note: 'first' }] } });
    const denied = await engine.execute({ headers: { ...admin, 'x-hasura-role': 'user', 'x-hasura-user-id': '1' }, query: '{ customers { id } }' });
    expect(denied.errors?.[0]?.message).toBe("field 'customers' not found in type: 'query_root'");
  });

  it('/healthz answers Hasura\'s warning while every source answers; /v1/metadata get_inconsistent_metadata lists them', async () => {
    const http = await listen(fixture().engine.handler);
    try {
      const res = await fetch(`${http.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('WARN: inconsistent objects in schema');
      const meta = await fetch(`${http.url}/v1/metadata`, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify({ type: 'get_inconsistent_metadata', args: {} }) });
      const body = await meta.json() as { is_consistent: boolean; inconsistent_objects: { name: string }[] };
      expect(body.is_consistent).toBe(false);
      expect(body.inconsistent_objects.map((o) => o.name).sort()).toEqual(fixture().engine.inconsistencies().map((o) => o.name).sort());
      expect(body.inconsistent_objects).toHaveLength(7);
      // reload_metadata leaves the same objects out (remote schemas included) and keeps serving the rest.
      const reload = await fetch(`${http.url}/v1/metadata`, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify({ type: 'reload_metadata', args: {} }) });
      const reloaded = await reload.json() as { is_consistent: boolean; inconsistent_objects: { name: string }[] };
      expect(reload.status).toBe(200);
      expect(reloaded.is_consistent).toBe(false);
      expect(reloaded.inconsistent_objects.map((o) => o.name).sort()).toEqual(body.inconsistent_objects.map((o) => o.name).sort());
      expect(await fixture().engine.execute({ headers: admin, query: '{ notes { body } }' })).toEqual({ data: { notes: [{ body: 'shop note' }] } });
    } finally {
      await http.close();
    }
  });

  it('strict mode refuses to start, listing every object with its path', async () => {
    const message = await createEngine({ metadataPath: FIXTURE, env: fixture().env, strictMetadata: true }).then(
      async (e) => { await e.close(); return ''; }, (e: Error) => e.message);
    expect(message).toContain('metadata is inconsistent');
    expect(message).toContain('$.sources[0].tables[0].remote_relationships[1].definition.to_source: in table "orders": in remote relationship "customer_by_code": join key');
    expect(message).toContain('$.sources[0].tables[2].table');
  });
});

describe('farjoin serve', () => {
  it('starts, logs each inconsistent object (JSON line and stderr summary) and serves the rest', async () => {
    const child = spawn(process.execPath, [packageFile('bin', 'farjoin.js'), 'serve', '--metadata', FIXTURE, '--port', '0', '--host', '127.0.0.1'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...fixture().env } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const warnings: { inconsistent?: { name: string; path: string; fix: string } }[] = [];
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
        child.once('exit', () => reject(new Error(`serve exited: ${stderr}`)));
        createInterface({ input: child.stdout }).on('line', (line) => {
          const entry = JSON.parse(line) as { msg?: string; port?: number; inconsistent?: { name: string; path: string; fix: string } };
          if (entry.inconsistent) warnings.push(entry);
          if (entry.msg === 'listening' && entry.port) {
            clearTimeout(timer);
            resolve(entry.port);
          }
        });
      });
      expect(warnings.map((w) => w.inconsistent!.name)).toContain('remote_relationship customer_by_code in table orders in source shop');
      expect(warnings).toHaveLength(7);
      // stderr is its own pipe: its summary may arrive after the 'listening' line on stdout
      await expect.poll(() => stderr).toContain('farjoin: 7 inconsistent metadata objects left out of the schema');
      await expect.poll(() => stderr).toContain('    at:     $.sources[0].tables[2].table');
      const res = await fetch(`http://127.0.0.1:${port}/v1/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ notes { body } }' }) });
      expect(await res.json()).toEqual({ data: { notes: [{ body: 'shop note' }] } });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('farjoin check', () => {
  it('lists path, reason and fix and exits 1; --format json is get_inconsistent_metadata plus path and fix', async () => {
    const r = await runCli(['check', '--metadata', FIXTURE], fixture().env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('7 inconsistent objects');
    expect(r.stdout).toContain('remote_relationship customer_by_code in table orders in source shop\n    at:     $.sources[0].tables[0].remote_relationships[1].definition.to_source\n    reason: in table "orders": in remote relationship "customer_by_code": join key shop.orders.customer_code (int4) cannot be compared with crm.customers.code (text)\n    fix:    change a column type, or map columns of compatible types');
    const json = await runCli(['check', '--metadata', FIXTURE, '--format', 'json'], fixture().env);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { is_consistent: boolean; inconsistent_objects: { type: string; path: string; fix: string }[] };
    expect(parsed.is_consistent).toBe(false);
    expect(parsed.inconsistent_objects.map((o) => o.type).sort()).toEqual(['remote_relationship', 'remote_relationship', 'remote_relationship', 'remote_schema', 'select_permission', 'table', 'table']);
  });

  it('exits 0 on consistent metadata, and has --help', async () => {
    const raw = await readMetadataFile(FIXTURE) as { sources: { tables: unknown[] }[] };
    const consistent = { version: 3, sources: [{ ...raw.sources[0], tables: [{ table: { schema: 'public', name: 'notes' } }] }] };
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'farjoin-check-')), 'ok.json');
    writeFileSync(file, JSON.stringify(consistent));
    const r = await runCli(['check', '--metadata', file], fixture().env);
    expect(r.stdout).toContain('metadata is consistent (1 tables in 1 sources)');
    expect(r.code).toBe(0);
    const help = await runCli(['check', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: farjoin check');
  });
});
