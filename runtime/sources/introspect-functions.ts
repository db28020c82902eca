/**
 * SQL functions of the user schemas (`pg_proc`), for tracked functions and computed fields
 * (issue 11 item 6). Functions that belong to an extension (PostGIS alone has thousands)
 * are left out: they are never tracked, and would only grow the catalog.
 */
import type { ClientBase } from 'pg';
import type { FunctionArgCatalog, FunctionCatalog, PgType } from '../../compiler/catalog/types.js';

const FUNCTIONS_SQL = `
SELECT n.nspname AS schema, p.proname AS name, p.provolatile AS volatility, p.proretset AS returns_set,
       rn.nspname AS ret_schema, rt.typname AS ret_name, rt.typcategory AS ret_category,
       rcn.nspname AS ret_table_schema, rc.relname AS ret_table_name,
       p.pronargdefaults::int AS defaults,
       p.proargmodes::text[] AS modes, p.proargnames AS arg_names,
       ARRAY(SELECT json_build_object('schema', tn.nspname, 'name', t.typname, 'category', t.typcategory,
                                      'elem_schema', en.nspname, 'elem_name', e.typname, 'elem_category', e.typcategory)
             FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(oid, ord)
             JOIN pg_type t ON t.oid = a.oid JOIN pg_namespace tn ON tn.oid = t.typnamespace
             LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
             LEFT JOIN pg_namespace en ON en.oid = e.typnamespace
             ORDER BY a.ord) AS arg_types,
       obj_description(p.oid, 'pg_proc') AS comment
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_type rt ON rt.oid = p.prorettype
JOIN pg_namespace rn ON rn.oid = rt.typnamespace
LEFT JOIN pg_class rc ON rc.oid = rt.typrelid AND rt.typrelid <> 0
LEFT JOIN pg_namespace rcn ON rcn.oid = rc.relnamespace
WHERE p.prokind = 'f'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')`;

interface TypeJson {
  schema: string; name: string; category: string;
  elem_schema: string | null; elem_name: string | null; elem_category: string | null;
}

interface FunctionRow {
  schema: string; name: string; volatility: string; returns_set: boolean;
  ret_schema: string; ret_name: string; ret_category: string;
  ret_table_schema: string | null; ret_table_name: string | null;
  defaults: number; modes: string[] | null; arg_names: string[] | null;
  arg_types: TypeJson[]; comment: string | null;
}

const VOLATILITY: Readonly<Record<string, FunctionCatalog['volatility']>> = { i: 'immutable', s: 'stable', v: 'volatile' };

function typeOf(t: TypeJson): PgType {
  return {
    schema: t.schema, name: t.name, category: t.category,
    ...(t.elem_name && t.elem_schema ? { element: { schema: t.elem_schema, name: t.elem_name, category: t.elem_category ?? 'U' } } : {}),
  };
}

/** One catalog entry per row: input arguments named from `proargnames` (which also names OUT ones when modes are set). */
export function functionFromRow(r: FunctionRow): FunctionCatalog {
  const modes = r.modes ?? r.arg_types.map(() => 'i');
  // Positions (in all arguments) of the input ones: IN, INOUT, VARIADIC.
  const inputPositions = modes.flatMap((m, i) => (m === 'i' || m === 'b' || m === 'v' ? [i] : []));
  const firstDefault = r.arg_types.length - r.defaults;
  const args: FunctionArgCatalog[] = r.arg_types.map((t, i) => {
    const name = r.arg_names?.[inputPositions[i] ?? -1];
    return { ...(name ? { name } : {}), type: typeOf(t), hasDefault: i >= firstDefault };
  });
  return {
    schema: r.schema,
    name: r.name,
    volatility: VOLATILITY[r.volatility] ?? 'volatile',
    returnsSet: r.returns_set,
    returnType: { schema: r.ret_schema, name: r.ret_name, category: r.ret_category },
    ...(r.ret_table_schema && r.ret_table_name ? { returnTable: { schema: r.ret_table_schema, name: r.ret_table_name } } : {}),
    args,
    onlyInArgs: modes.every((m) => m === 'i'),
    ...(r.comment ? { comment: r.comment } : {}),
  };
}

export async function introspectFunctions(client: ClientBase): Promise<FunctionCatalog[]> {
  const rows = await client.query<FunctionRow>(FUNCTIONS_SQL);
  return rows.rows.map(functionFromRow);
}
