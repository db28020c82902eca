/** Depth and nodes of an operation as Hasura's API limits count them (runtime/policies/document-shape.ts). */
import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationShape } from '../../runtime/policies/document-shape.js';

const shape = (text: string) => {
  const document = parse(text);
  return operationShape(document, getOperationAST(document)!);
};

describe('operationShape', () => {
  it("counts Hasura's documented examples", () => {
    expect(shape('query deep1_1 { viewer { name } }')).toMatchObject({ depth: 1, nodes: 1 });
    expect(shape('query deep1_2 { viewer { ... on User { name } } }')).toMatchObject({ depth: 1, nodes: 1 });
    expect(shape('query deep2 { viewer { albums { title } } }')).toMatchObject({ depth: 2, nodes: 2 });
    expect(shape('query deep3 { viewer { albums { ...musicInfo songs { ...musicInfo } } } } fragment musicInfo on Music { id title artists }').depth).toBe(3);
    expect(shape('{ author { name articles { id title } } homepage_entries { article_id } }').nodes).toBe(3);
  });

  it('expands fragments every time they are spread, and survives a cycle', () => {
    expect(shape('{ a { ...F } b { ...F } } fragment F on T { x { y { z } } }')).toMatchObject({ depth: 3, nodes: 6 });
    expect(shape('{ a { ...F } } fragment F on T { x { ...G } } fragment G on T { y { ...F } }').depth).toBeGreaterThan(0);
  });

  it('tells introspection queries apart', () => {
    expect(shape('{ __schema { types { name } } }').introspection).toBe(true);
    expect(shape('{ __typename orders { id } }').introspection).toBe(false);
  });
});
