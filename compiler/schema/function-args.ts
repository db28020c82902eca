/**
 * The `args` argument of tracked functions and computed fields, as Hasura builds it
 * (Postgres Schema/Select.hs `functionArgs`): an input object `<fn>_args` (computed
 * fields: `<field>_<table>_args`) with one nullable field per input argument, in
 * name order (unnamed ones `arg_1`, `arg_2` …). No input arguments: no `args`.
 * `args` is required when some argument has no default; an omitted argument is checked
 * while lowering (ir/function-call.ts), an explicit `null` is passed as NULL.
 */
import { GraphQLInputObjectType, GraphQLNonNull, type GraphQLFieldConfigArgumentMap, type GraphQLInputFieldConfigMap } from 'graphql';
import type { FunctionRef } from '../metadata/model.js';
import type { ScalarRegistry } from './scalars.js';
import { sorted } from './sorted.js';

export class FunctionArgTypes {
  private readonly types = new Map<string, GraphQLInputObjectType>();

  constructor(private readonly scalars: ScalarRegistry) {}

  /** `{ args: <fn>_args[!] }`, or nothing when the function takes no input argument. */
  argument(ref: FunctionRef, description: string): GraphQLFieldConfigArgumentMap {
    const inputs = ref.params.flatMap((p) => (p.kind === 'input' ? [p] : []));
    if (inputs.length === 0) return {};
    let type = this.types.get(ref.argsTypeName);
    if (!type) {
      const fields: GraphQLInputFieldConfigMap = {};
      for (const p of inputs) fields[p.fieldName] = { type: this.scalars.forType(p.type) };
      type = new GraphQLInputObjectType({ name: ref.argsTypeName, fields: sorted(fields) });
      this.types.set(ref.argsTypeName, type);
    }
    const mandatory = inputs.some((p) => !p.hasDefault);
    return { args: { type: mandatory ? new GraphQLNonNull(type) : type, description } };
  }
}
