/**
 * `farjoin fdw setup --metadata FILE --from SRC --to TGT [--dry-run]` (DESIGN.md §6 `fdw`):
 * lets SRC read TGT's tracked tables through postgres_fdw so remote joins between them can
 * run as one statement on SRC (§5.2). The work is runtime/sources/fdw-setup.ts.
 */
import { FarjoinError } from '../compiler/errors.js';
import { parseMetadata } from '../compiler/metadata/parse.js';
import { fdwSetup } from '../runtime/sources/fdw-setup.js';
import { readMetadataFile } from '../runtime/metadata-file.js';

export interface FdwSetupCliOptions {
  metadata: string;
  from: string;
  to: string;
  dryRun?: boolean;
  user?: string;
  password?: string;
  host?: string;
  port?: string;
  dbname?: string;
}

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new FarjoinError('validation-failed', `--port must be a number from 1 to 65535, got "${value}"`);
  return n;
}

export async function runFdwSetup(o: FdwSetupCliOptions): Promise<void> {
  const metadata = parseMetadata(await readMetadataFile(o.metadata));
  const p = port(o.port);
  const result = await fdwSetup({
    metadata, from: o.from, to: o.to, dryRun: o.dryRun === true,
    overrides: {
      ...(o.user !== undefined ? { user: o.user } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.host !== undefined ? { host: o.host } : {}),
      ...(p !== undefined ? { port: p } : {}),
      ...(o.dbname !== undefined ? { dbname: o.dbname } : {}),
    },
  });
  if (!result.applied) {
    console.log(`-- farjoin fdw setup --dry-run: the statements that would run on source "${o.from}" (nothing was changed)`);
    for (const s of result.statements) console.log(`${s};`);
    return;
  }
  const { host, port: tp, dbname } = result.endpoint;
  console.log(`farjoin: source "${o.from}" reads target "${o.to}" through foreign server "${result.server}" (${host}:${tp}/${dbname}); checked: postgres_fdw connects and logs in`);
  for (const t of result.tables) console.log(`  ${t.schema}.${t.name} -> ${t.localSchema}.${t.localName}`);
  for (const t of result.skipped) console.log(`  ${t.schema}.${t.name} skipped: "${o.from}" cannot declare it (${t.reason}); plans that read it do not use fdw`);
}
