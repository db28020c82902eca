/**
 * Metadata checking, all stages in order (DESIGN.md §3): shape (shape.ts) → catalogs
 * (resolve.ts) → permission filters (permission-filters.ts). The result is the model of
 * everything that can be served and the list of inconsistent objects, in Hasura's
 * `get_inconsistent_metadata` shape plus path and fix.
 * Pure: the runtime hands in the catalogs of the sources that answered and, for the others,
 * why they did not.
 */
import type { Catalog } from '../catalog/types.js';
import { Inconsistencies, type InconsistentObject } from './inconsistent.js';
import type { Model } from './model.js';
import { checkPermissionFilters } from './permission-filters.js';
import { resolveMetadata } from './resolve.js';
import { checkMetadataShape } from './shape.js';
import type { Metadata } from './types.js';
import type { NamingConvention } from '../schema/naming.js';

export interface MetadataCheck {
  /** Every consistent object, resolved against the catalogs. */
  readonly model: Model;
  /** Every inconsistent object, left out of `model`. */
  readonly inconsistent: readonly InconsistentObject[];
}

export interface CheckOptions {
  /** Sources without a catalog: why (their connection error). */
  readonly sourceErrors?: Readonly<Record<string, string>>;
  /** Naming convention of sources without one (HASURA_GRAPHQL_DEFAULT_NAMING_CONVENTION). */
  readonly defaultNamingConvention?: NamingConvention;
}

export function checkMetadata(metadata: Metadata, catalog: Catalog, options: CheckOptions = {}): MetadataCheck {
  const issues = new Inconsistencies();
  checkMetadataShape(metadata, issues);
  const { model } = resolveMetadata(metadata, catalog, { ...options, issues });
  return { model: checkPermissionFilters(metadata, model, issues), inconsistent: issues.list };
}
