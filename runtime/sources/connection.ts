/**
 * Connection info from metadata: `database_url` as a string or `{from_env: VAR}`, and
 * pool settings (DESIGN.md §3). Errors name the metadata path and the fix.
 */
import { FarjoinError } from '../../compiler/errors.js';
import type { SourceMetadata } from '../../compiler/metadata/types.js';

export interface ConnectionSettings {
  readonly url: string;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
}

export const DEFAULT_MAX_CONNECTIONS = 20;

export function connectionSettings(source: SourceMetadata, index: number, env: NodeJS.ProcessEnv): ConnectionSettings {
  const ci = source.configuration.connection_info;
  const path = `$.sources[${index}].configuration.connection_info.database_url`;
  let url: string | undefined;
  if (typeof ci.database_url === 'string') url = ci.database_url;
  else {
    url = env[ci.database_url.from_env];
    if (!url) {
      throw new FarjoinError('invalid-configuration',
        `source "${source.name}": environment variable ${ci.database_url.from_env} is not set (${path}.from_env); export it with the database URL, e.g. ${ci.database_url.from_env}=postgres://user:pass@host:5432/db`,
        { path: `${path}.from_env` });
    }
  }
  checkUrl(source.name, url, typeof ci.database_url === 'string' ? path : `${path}.from_env (${ci.database_url.from_env})`);
  return {
    url,
    maxConnections: ci.pool_settings?.max_connections ?? DEFAULT_MAX_CONNECTIONS,
    idleTimeoutMs: (ci.pool_settings?.idle_timeout ?? 180) * 1000,
  };
}

/**
 * A database URL must be `postgres://` or `postgresql://` with a host (or a socket path):
 * `localhost:5432/db` would otherwise be read by the driver as a socket path or defaults,
 * and fail later with a misleading ECONNREFUSED. The message never shows the password.
 */
function checkUrl(source: string, url: string, where: string): void {
  const fix = 'write it as postgres://user:password@host:5432/database';
  const fail = (why: string): never => {
    throw new FarjoinError('invalid-configuration', `source "${source}": the database URL at ${where} ${why}; ${fix}`, { path: where.split(' ')[0]! });
  };
  if (url.startsWith('/')) return; // a Unix socket directory, which the driver accepts
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) fail('has no scheme (it must start with postgres://)');
  if (scheme !== 'postgres' && scheme !== 'postgresql') fail(`has the scheme "${scheme}://", not postgres://`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('is not a valid URL');
  }
  if (!parsed.hostname && !parsed.searchParams.has('host')) fail('has no host');
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable database URL>';
  }
}
