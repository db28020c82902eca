/**
 * Who can reach the server (issue 16 "exposure"): without an admin secret every request is
 * admin, so listening beyond this machine without one deserves a warning at start.
 */
import { isIP } from 'node:net';

/** 127.0.0.0/8, ::1 and `localhost`: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '::ffff:127.0.0.1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** The start-up warning for `host` and `adminSecret`, or undefined when there is nothing to warn about. */
export function exposureWarning(host: string, adminSecret: string | undefined): string | undefined {
  if (adminSecret || isLoopback(host)) return undefined;
  return `listening on ${host} without an admin secret: anyone who can reach this address is admin (every query, explain, /v1/metadata). Pass --admin-secret or set FARJOIN_ADMIN_SECRET, or listen on loopback only with --host 127.0.0.1`;
}
