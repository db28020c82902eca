/**
 * Request ids (Hasura's `x-request-id`): the caller's id when it sends a usable one, else
 * a new UUID. The id is returned in the response header and written on every log line of
 * the request, so one failure can be found from either side.
 */
import { randomUUID } from 'node:crypto';
import { firstHeader, headerMap, type RequestHeaders } from './session-headers.js';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Ids are logged as given: printable ASCII without spaces, at most 128 characters. */
const USABLE = /^[\x21-\x7e]{1,128}$/;

export function requestIdOf(headers: RequestHeaders | undefined): string {
  const given = headers ? firstHeader(headerMap(headers), REQUEST_ID_HEADER) : undefined;
  return given !== undefined && USABLE.test(given) ? given : randomUUID();
}
