/**
 * Hasura's `@cached` query directive (docs: caching/caching-config), declared in every
 * role's schema so documents that use it validate and introspection lists it. The runtime
 * (runtime/cache/) reads it; the compiler ignores it.
 */
import { DirectiveLocation, GraphQLBoolean, GraphQLDirective, GraphQLInt, specifiedDirectives } from 'graphql';

export const CACHED_DIRECTIVE = new GraphQLDirective({
  name: 'cached',
  description: 'whether this query should be cached (Hasura Cloud only)',
  locations: [DirectiveLocation.QUERY],
  args: {
    ttl: { type: GraphQLInt, defaultValue: 60, description: 'measured in seconds' },
    refresh: { type: GraphQLBoolean, defaultValue: false, description: 'refresh the cache entry' },
  },
});

/** The directives of a farjoin schema: GraphQL's own and `@cached`. */
export const SCHEMA_DIRECTIVES = [...specifiedDirectives, CACHED_DIRECTIVE];
