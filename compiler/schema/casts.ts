/**
 * Hasura's `_cast` comparison operator: a column compared as another type, in GraphQL
 * filters and permissions alike. `jsonb` casts to `String` (its text), `geometry` to
 * `geography` and `geography` to `geometry` (PostGIS, in the schema of the type). Each
 * cast is a field of `<type>_cast_exp`, named by the target's GraphQL scalar, holding that
 * scalar's `_comparison_exp`.
 */
import type { PgType } from '../catalog/types.js';

export interface CastTarget {
  /** The field of `<type>_cast_exp` (the target's GraphQL scalar name). */
  readonly field: string;
  readonly type: PgType;
}

export function castTargets(t: PgType): readonly CastTarget[] {
  if (t.schema === 'pg_catalog' && t.name === 'jsonb') return [{ field: 'String', type: { schema: 'pg_catalog', name: 'text', category: 'S' } }];
  if (t.name === 'geometry') return [{ field: 'geography', type: { schema: t.schema, name: 'geography', category: t.category } }];
  if (t.name === 'geography') return [{ field: 'geometry', type: { schema: t.schema, name: 'geometry', category: t.category } }];
  return [];
}
