/**
 * The text path (issue 17): `engine.executeJson()` and the HTTP handler write the response
 * as JSON text from the statements' columns, without the response's objects. The text is
 * `JSON.stringify` of what `execute` answers — for data, errors and limits alike (every
 * differential case of helpers/strategies.ts checks the same on its queries).
 */
import { describe, expect, it } from 'vitest';
import { EXAMPLE_ANSWER, EXAMPLE_QUERY, startDemo } from '../helpers/demo.js';

describe('engine.executeJson', () => {
  it('answers the text of execute: data, a request error, and the row and byte limits', async () => {
    const demo = await startDemo({ limits: { maxRows: 5, maxResponseBytes: 400 } });
    try {
      const { engine } = demo;
      const small = '{ orders(order_by: {id: asc}, limit: 2) { id user { name } } }';
      expect(await engine.executeJson({ query: small })).toBe('{"data":{"orders":[{"id":1,"user":{"name":"Alice"}},{"id":2,"user":{"name":"Alice"}}]}}');
      for (const query of [EXAMPLE_QUERY, '{ orders { id nope } }', '{ user { id name orders { id user_id } } }']) {
        const text = await engine.executeJson({ query });
        expect(text).toBe(JSON.stringify(await engine.execute({ query })));
        expect(JSON.parse(text)).toHaveProperty('errors');
      }
      // 6 orders: past the row limit of 5, with the limit's error
      expect(JSON.parse(await engine.executeJson({ query: EXAMPLE_QUERY })).errors[0].message).toMatch(/more than 5 rows/);
    } finally {
      await demo.close();
    }
  });

  it('writes the whole response when no limit applies', async () => {
    const demo = await startDemo({ limits: { maxRows: 0, maxResponseBytes: 0 } });
    try {
      expect(await demo.engine.executeJson({ query: EXAMPLE_QUERY })).toBe(JSON.stringify(EXAMPLE_ANSWER));
    } finally {
      await demo.close();
    }
  });
});
