/**
 * A fixture for one test file: started before its tests, closed after them. The getter it
 * returns gives the started fixture, and fails clearly when called before `beforeAll`.
 */
import { afterAll, beforeAll } from 'vitest';

export function useFixture<T>(start: () => Promise<T>, close: (fixture: T) => Promise<void>, timeoutMs?: number): () => T {
  let fixture: T | undefined;
  beforeAll(async () => {
    fixture = await start();
  }, timeoutMs);
  afterAll(async () => {
    if (fixture !== undefined) await close(fixture);
  });
  return () => {
    if (fixture === undefined) throw new Error('the test fixture is used before beforeAll started it');
    return fixture;
  };
}
