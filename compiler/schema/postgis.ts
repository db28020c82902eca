/**
 * PostGIS comparison operators of `geometry_comparison_exp` and `geography_comparison_exp`
 * (issue 11 item 7), with Hasura's names and inputs: geometry has `_st_contains _st_crosses
 * _st_equals _st_intersects _st_overlaps _st_touches _st_within _st_3d_intersects` (a
 * geometry) and `_st_d_within _st_3d_d_within` (`st_d_within_input {distance, from}`);
 * geography has `_st_intersects` and `_st_d_within`
 * (`st_d_within_geography_input {distance, from, use_spheroid = true}`).
 */
import { GraphQLBoolean, GraphQLFloat, GraphQLInputObjectType, GraphQLNonNull, type GraphQLInputFieldConfigMap, type GraphQLScalarType } from 'graphql';
import type { PgType } from '../catalog/types.js';
import { isGeoType } from '../sql/postgis.js';

const GEOMETRY_PREDICATES: Readonly<Record<string, string>> = {
  _st_3d_intersects: 'does the column spatially intersect the given geometry value (in 3D)',
  _st_contains: 'is the column contained in the given geometry value',
  _st_crosses: 'does the column cross the given geometry value',
  _st_equals: 'is the column equal to given geometry value (directionality is ignored)',
  _st_intersects: 'does the column spatially intersect the given geometry value',
  _st_overlaps: 'does the column \'spatially overlap\' (intersect but not completely contain) the given geometry value',
  _st_touches: 'does the column have atleast one point in common with the given geometry value',
  _st_within: 'is the column contained in the given geometry value',
};

/** One registry per schema: the d_within inputs are created once. */
export class SpatialInputs {
  private readonly inputs = new Map<string, GraphQLInputObjectType>();

  private dWithin(scalar: GraphQLScalarType, geography: boolean): GraphQLInputObjectType {
    const name = geography ? 'st_d_within_geography_input' : 'st_d_within_input';
    let type = this.inputs.get(name);
    if (!type) {
      const fields: GraphQLInputFieldConfigMap = {
        distance: { type: new GraphQLNonNull(GraphQLFloat) },
        from: { type: new GraphQLNonNull(scalar) },
      };
      if (geography) fields.use_spheroid = { type: GraphQLBoolean, defaultValue: true };
      type = new GraphQLInputObjectType({ name, fields });
      this.inputs.set(name, type);
    }
    return type;
  }

  /** The `_st_*` fields for a comparison over `t` (none unless it is a PostGIS type). */
  operators(t: PgType, scalar: GraphQLScalarType): GraphQLInputFieldConfigMap {
    if (!isGeoType(t)) return {};
    if (t.name === 'geography') {
      return {
        _st_d_within: { type: this.dWithin(scalar, true), description: 'is the column within a given distance from the given geography value' },
        _st_intersects: { type: scalar, description: 'does the column spatially intersect the given geography value' },
      };
    }
    const fields: GraphQLInputFieldConfigMap = {};
    for (const [op, description] of Object.entries(GEOMETRY_PREDICATES)) fields[op] = { type: scalar, description };
    fields._st_d_within = { type: this.dWithin(scalar, false), description: 'is the column within a given distance from the given geometry value' };
    fields._st_3d_d_within = { type: this.dWithin(scalar, false), description: 'is the column within a given 3D distance from the given geometry value' };
    return fields;
  }
}
