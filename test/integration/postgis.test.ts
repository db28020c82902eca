/**
 * PostGIS (issue 11 item 7) on a real server with the extension (FARJOIN_TEST_POSTGIS):
 * geometry and geography columns come back as GeoJSON (Hasura's ST_AsGeoJSON(x, 15, 4)),
 * values go in as GeoJSON (literals and variables), and the `_st_*` operators filter as
 * the PostGIS predicates do — expected rows come from the same predicates in SQL.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../runtime/engine.js';
import { useFixture } from '../helpers/lifecycle.js';
import { createPostgisDatabase, POSTGIS_URL, type PostgisDatabase } from '../helpers/postgis.js';

const SETUP = `
CREATE TABLE landmark (id int PRIMARY KEY, name text NOT NULL, location geography(Point, 4326));
CREATE TABLE region (id int PRIMARY KEY, name text NOT NULL, area geometry(Polygon, 4326), border geometry(LineString, 4326));
INSERT INTO landmark VALUES
  (1, 'Big Ben', 'SRID=4326;POINT(-0.1246 51.5007)'), (2, 'Tower Bridge', 'SRID=4326;POINT(-0.0754 51.5055)'),
  (3, 'Eiffel Tower', 'SRID=4326;POINT(2.2945 48.8584)'), (4, 'Nowhere', NULL);
INSERT INTO region VALUES
  (1, 'unit', 'SRID=4326;POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))', 'SRID=4326;LINESTRING(0 0, 2 2)'),
  (2, 'east', 'SRID=4326;POLYGON((1 0, 2 0, 2 1, 1 1, 1 0))', 'SRID=4326;LINESTRING(1 0, 1 1)'),
  (3, 'far', 'SRID=4326;POLYGON((10 10, 11 10, 11 11, 10 11, 10 10))', 'SRID=4326;LINESTRING(10 10, 12 12)'),
  (4, 'big', 'SRID=4326;POLYGON((-1 -1, 3 -1, 3 3, -1 3, -1 -1))', 'SRID=4326;LINESTRING(-1 0, 3 0)');
CREATE FUNCTION regions_near(point geometry, distance float8) RETURNS SETOF region LANGUAGE sql STABLE
  AS $$ SELECT * FROM region WHERE ST_DWithin(area, point, distance) $$;
`;

if (!POSTGIS_URL) console.warn('postgis: skipped, FARJOIN_TEST_POSTGIS is not set (.ci/run installs postgresql-15-postgis-3 and sets it)');

const title = POSTGIS_URL ? 'PostGIS' : 'PostGIS (skipped: FARJOIN_TEST_POSTGIS is not set; .ci/run sets it up)';

describe.skipIf(!POSTGIS_URL)(title, () => {
  const fixture = useFixture(async () => {
    const db = await createPostgisDatabase(POSTGIS_URL!, SETUP);
    const t = (name: string) => ({ table: { schema: 'public', name } });
    const engine = await createEngine({ metadata: { version: 3, sources: [{ name: 'geo', kind: 'postgres', configuration: { connection_info: { database_url: db.url } },
      tables: [t('landmark'), { ...t('region'), select_permissions: [
        // Hasura's $st_d_within in a permission, its distance and point from session variables.
        { role: 'nearby', permission: { columns: ['id', 'name'], filter: { area: { $st_d_within: { distance: 'X-Hasura-Distance', from: 'X-Hasura-Point' } } } } },
      ] }], functions: [{ function: { schema: 'public', name: 'regions_near' } }] }] } });
    return { db, engine };
  }, async ({ db, engine }: { db: PostgisDatabase; engine: Engine }) => {
    await engine.close();
    await db.drop();
  });
  async function data(query: string, variables?: Record<string, unknown>) {
    const r = await fixture().engine.execute({ query, variables: variables ?? null });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    return r.data as Record<string, unknown>;
  }
  const ids = async (where: string) => (await fixture().db.query(`SELECT id FROM region WHERE ${where} ORDER BY id`)).map((r) => ({ id: r.id }));
  const unit = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] };
  const unitSql = `ST_GeomFromGeoJSON('${JSON.stringify(unit)}')`;

  it('returns geometry and geography as GeoJSON with the CRS, as Hasura does', async () => {
    const d = await data('{ landmark(order_by: {id: asc}, limit: 1) { location } region(where: {id: {_eq: 2}}) { area } }');
    expect(d.landmark).toEqual([{ location: { type: 'Point', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4326' } }, coordinates: [-0.1246, 51.5007] } }]);
    expect(d.region).toEqual([{ area: { type: 'Polygon', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4326' } }, coordinates: [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]] } }]);
  });

  it('filters with each geometry predicate, GeoJSON in a variable', async () => {
    for (const [op, fn] of [['_st_contains', 'ST_Contains'], ['_st_within', 'ST_Within'], ['_st_intersects', 'ST_Intersects'], ['_st_touches', 'ST_Touches'], ['_st_overlaps', 'ST_Overlaps'], ['_st_equals', 'ST_Equals']] as const) {
      const d = await data(`query($g: geometry) { region(where: {area: {${op}: $g}}, order_by: {id: asc}) { id } }`, { g: unit });
      expect(d.region, op).toEqual(await ids(`${fn}(area, ${unitSql})`));
    }
    const within = await data(`query($g: geometry) { region(where: {area: {_st_within: $g}}) { id } }`, { g: { type: 'Polygon', coordinates: [[[-5, -5], [5, -5], [5, 5], [-5, 5], [-5, -5]]] } });
    expect(within.region).toEqual([{ id: 1 }, { id: 2 }, { id: 4 }]);
  });

  it('_st_crosses on lines, with a GeoJSON literal', async () => {
    const d = await data('{ region(where: {border: {_st_crosses: {type: "LineString", coordinates: [[0, 1], [2, 0]]}}}, order_by: {id: asc}) { id } }');
    expect(d.region).toEqual(await ids(`ST_Crosses(border, ST_GeomFromGeoJSON('{"type":"LineString","coordinates":[[0,1],[2,0]]}'))`));
    expect((d.region as unknown[]).length).toBeGreaterThan(0);
  });

  it('_st_d_within on geometry (st_d_within_input) and geography (metres, use_spheroid)', async () => {
    const g = await data('{ region(where: {area: {_st_d_within: {distance: 1.5, from: {type: "Point", coordinates: [3.5, 0.5]}}}}, order_by: {id: asc}) { id } }');
    expect(g.region).toEqual(await ids(`ST_DWithin(area, ST_GeomFromGeoJSON('{"type":"Point","coordinates":[3.5,0.5]}'), 1.5)`));
    expect(g.region).toEqual([{ id: 2 }, { id: 4 }]);
    const near = await data('query($p: geography!) { landmark(where: {location: {_st_d_within: {distance: 5000, from: $p}}}, order_by: {id: asc}) { name } }', { p: { type: 'Point', coordinates: [-0.1, 51.5] } });
    expect(near.landmark).toEqual([{ name: 'Big Ben' }, { name: 'Tower Bridge' }]);
    const sphere = await data('{ landmark(where: {location: {_st_d_within: {distance: 400000, from: {type: "Point", coordinates: [-0.1, 51.5]}, use_spheroid: false}}}) { name } }');
    expect((sphere.landmark as { name: string }[]).map((l) => l.name).sort()).toEqual(['Big Ben', 'Eiffel Tower', 'Tower Bridge']);
    const inter = await data('{ landmark(where: {location: {_st_intersects: {type: "Point", coordinates: [2.2945, 48.8584]}}}) { id } }');
    expect(inter.landmark).toEqual([{ id: 3 }]);
  });

  it('a permission\'s $st_d_within takes its distance and point from session variables', async () => {
    const point = { type: 'Point', coordinates: [1.5, 0.5] };
    for (const distance of ['0', '0.6', '20']) {
      const r = await fixture().engine.execute({ query: '{ region(order_by: {id: asc}) { id } }',
        headers: { 'x-hasura-role': 'nearby', 'x-hasura-distance': distance, 'x-hasura-point': JSON.stringify(point) } });
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      expect(r.data?.region, distance).toEqual(await ids(`ST_DWithin(area, ST_GeomFromGeoJSON('${JSON.stringify(point)}'), ${distance})`));
    }
    const missing = await fixture().engine.execute({ query: '{ region { id } }', headers: { 'x-hasura-role': 'nearby', 'x-hasura-distance': '1' } });
    expect(missing.errors?.[0]?.message).toBe('missing session variables: "x-hasura-point"');
  });

  it('_cast compares geography as geometry and geometry as geography', async () => {
    const london = { type: 'Polygon', coordinates: [[[-0.2, 51.4], [0, 51.4], [0, 51.6], [-0.2, 51.6], [-0.2, 51.4]]] };
    const asGeometry = await data('query ($p: geometry) { landmark(where: {location: {_cast: {geometry: {_st_within: $p}}}}, order_by: {id: asc}) { id } }', { p: london });
    const expected = await fixture().db.query(`SELECT id FROM landmark WHERE ST_Within(location::geometry, ST_GeomFromGeoJSON('${JSON.stringify(london)}')) ORDER BY id`);
    expect(asGeometry.landmark).toEqual(expected.map((r) => ({ id: r.id })));
    expect(asGeometry.landmark).toEqual([{ id: 1 }, { id: 2 }]);
    const point = { type: 'Point', coordinates: [0.5, 0.5] };
    for (const metres of [0, 60000, 200000]) {
      const d = await data(`query ($p: geography!) { region(where: {area: {_cast: {geography: {_st_d_within: {distance: ${metres}, from: $p}}}}}, order_by: {id: asc}) { id } }`, { p: point });
      expect(d.region, String(metres)).toEqual(await ids(`ST_DWithin(area::geography, ST_GeomFromGeoJSON('${JSON.stringify(point)}')::geography, ${metres})`));
    }
  });

  it('takes GeoJSON arguments of tracked functions', async () => {
    const d = await data('{ regions_near(args: {point: {type: "Point", coordinates: [0.5, 0.5]}, distance: 0}, order_by: {id: asc}) { id name } }');
    expect(d.regions_near).toEqual([{ id: 1, name: 'unit' }, { id: 4, name: 'big' }]);
  });

  it('names Hasura\'s spatial inputs in the schema', async () => {
    const d = await data(`{ g: __type(name: "geometry_comparison_exp") { inputFields { name } } d: __type(name: "st_d_within_geography_input") { inputFields { name defaultValue } } }`);
    const names = (d.g as { inputFields: { name: string }[] }).inputFields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['_st_contains', '_st_crosses', '_st_equals', '_st_intersects', '_st_overlaps', '_st_touches', '_st_within', '_st_d_within']));
    expect(d.d).toEqual({ inputFields: [{ name: 'distance', defaultValue: null }, { name: 'from', defaultValue: null }, { name: 'use_spheroid', defaultValue: 'true' }] });
  });
});
