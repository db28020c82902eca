/**
 * Computed fields on a table's object type (issue 11 item 6, Hasura
 * Postgres Schema/Select.hs `computedFieldPG`): a scalar one is a nullable field of its
 * return type with `args` (and `path` for json); a table one (`SETOF` a tracked table the
 * role may select) is a list of that table's rows with `args` and the list arguments, plus
 * `<name>_aggregate` when the role may aggregate the table (beyond Hasura, which has no
 * aggregate over computed fields).
 */
import { GraphQLList, GraphQLNonNull, GraphQLString, type GraphQLFieldConfigMap } from 'graphql';
import type { TableModel } from '../metadata/model.js';
import { qualified } from '../metadata/inconsistent.js';
import type { SchemaParts } from './parts.js';

export function addComputedFields(fields: GraphQLFieldConfigMap<unknown, unknown>, table: TableModel, parts: SchemaParts): void {
  for (const cf of table.computedFields ?? []) {
    const argsDescription = `input parameters for computed field "${cf.name}" defined on table "${qualified(table)}"`;
    const args = parts.functionArgs.argument(cf.function, argsDescription);
    if (cf.returns.kind === 'scalar') {
      const t = cf.returns.type;
      const json = t.schema === 'pg_catalog' && (t.name === 'json' || t.name === 'jsonb');
      fields[cf.name] = {
        type: parts.scalars.forType(t),
        args: json ? { ...args, path: { type: GraphQLString, description: 'JSON select path' } } : args,
        ...(cf.description ? { description: cf.description } : {}),
      };
      continue;
    }
    const target = parts.index.table(cf.returns.table);
    if (!target) continue;
    const listArgs = { ...args, ...parts.listArgs(target) };
    fields[cf.name] = {
      type: new GraphQLList(new GraphQLNonNull(parts.objectType(target))),
      args: listArgs,
      ...(cf.description ? { description: cf.description } : {}),
    };
    if (parts.canAggregate(target)) {
      fields[`${cf.name}_aggregate`] = {
        type: new GraphQLNonNull(parts.aggregates.aggregate(target, () => parts.objectType(target))),
        args: listArgs,
        description: `aggregate over computed field "${cf.name}"`,
      };
    }
  }
}
