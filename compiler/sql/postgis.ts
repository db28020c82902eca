/**
 * PostGIS values in SQL (issue 11 item 7), as Hasura writes them: `geometry` and
 * `geography` go out as GeoJSON (`ST_AsGeoJSON(x, 15, 4)::json`: 15 decimal digits, the
 * long CRS name) and come in as GeoJSON (`ST_GeomFromGeoJSON($1)`, cast to geography for
 * geography); the spatial operators `_st_*` are the PostGIS predicates of the same names.
 * Functions are qualified with the schema of the type (where the extension lives).
 */
import type { PgType } from '../catalog/types.js';
import { invariant } from '../errors.js';
import { ident, param, sql, typeRef, type Sql } from './builder.js';

export type SpatialOp =
  | '_st_contains' | '_st_crosses' | '_st_equals' | '_st_intersects' | '_st_overlaps' | '_st_touches' | '_st_within'
  | '_st_d_within' | '_st_3d_intersects' | '_st_3d_d_within';

export function isGeoType(t: PgType): boolean {
  return t.name === 'geometry' || t.name === 'geography';
}

function fn(t: PgType, name: string): Sql {
  return ident(t.schema, name);
}

/** The response form of a geometry or geography expression. */
export function geoJson(expr: Sql, t: PgType): Sql {
  return sql`${fn(t, 'st_asgeojson')}(${expr}, 15, 4)::json`;
}

/** A GeoJSON value (object or text) as a value of type `t`. */
export function geoValue(value: unknown, t: PgType): Sql {
  const text = value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);
  return sql`${fn(t, 'st_geomfromgeojson')}(${param(text)}::text)::${typeRef(t.schema, t.name)}`;
}

/** A list of GeoJSON values as an array of type `t` (for `_in` / `_nin`). */
export function geoArray(values: readonly unknown[], t: PgType): Sql {
  const texts = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return sql`ARRAY(SELECT ${fn(t, 'st_geomfromgeojson')}(g)::${typeRef(t.schema, t.name)} FROM unnest(${param(texts)}::text[]) AS g)`;
}

const PREDICATES: Readonly<Record<Exclude<SpatialOp, '_st_d_within' | '_st_3d_d_within'>, string>> = {
  _st_contains: 'st_contains', _st_crosses: 'st_crosses', _st_equals: 'st_equals', _st_intersects: 'st_intersects',
  _st_overlaps: 'st_overlaps', _st_touches: 'st_touches', _st_within: 'st_within', _st_3d_intersects: 'st_3dintersects',
};

export function isSpatialOp(op: string): op is SpatialOp {
  return op in PREDICATES || op === '_st_d_within' || op === '_st_3d_d_within';
}

/** `column <op> value`; the d_within operators take `{distance, from, use_spheroid?}`. */
export function spatialCompare(op: SpatialOp, column: Sql, value: unknown, t: PgType): Sql {
  if (op === '_st_d_within' || op === '_st_3d_d_within') {
    const v = value as { distance?: unknown; from?: unknown; use_spheroid?: unknown };
    invariant(typeof v === 'object' && v !== null, 'st_d_within_input is an object');
    const distance = sql`${param(v.distance)}::float8`;
    const from = geoValue(v.from, t);
    if (t.name === 'geography') {
      return sql`${fn(t, 'st_dwithin')}(${column}, ${from}, ${distance}, ${param(v.use_spheroid !== false)}::boolean)`;
    }
    return sql`${fn(t, op === '_st_d_within' ? 'st_dwithin' : 'st_3ddwithin')}(${column}, ${from}, ${distance})`;
  }
  return sql`${fn(t, PREDICATES[op])}(${column}, ${geoValue(value, t)})`;
}
