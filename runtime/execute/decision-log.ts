/**
 * The durable decision record of two-phase commits (DESIGN.md §9): before the first
 * `COMMIT PREPARED`, a file `<stateDir>/2pc/<txid>.commit` is written and fsynced; it is
 * removed once every database committed. Recovery (two-phase-commit.ts) commits the
 * prepared transactions whose decision file exists and rolls back the others
 * (presumed abort).
 *
 * Decision: a file under a state directory rather than a table in one of the databases:
 * no database of the user's metadata gets a farjoin table, and the record does not depend
 * on one of the databases it coordinates being up. The directory is `--state-dir`
 * (`stateDir`), else `FARJOIN_STATE_DIR`, else `.farjoin` in the working directory. Each
 * farjoin instance needs its own: the instance id stored there prefixes the transaction
 * ids, so recovery only touches transactions this instance prepared.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export class DecisionLog {
  private instanceId: string | undefined;

  constructor(readonly dir: string) {}

  private get decisions(): string {
    return join(this.dir, '2pc');
  }

  /** The instance id, created (durably) on first use; undefined if this directory never ran a two-phase commit. */
  async instance(create: boolean): Promise<string | undefined> {
    if (this.instanceId) return this.instanceId;
    const file = join(this.dir, 'instance');
    try {
      this.instanceId = (await readFile(file, 'utf8')).trim();
      return this.instanceId;
    } catch {
      if (!create) return undefined;
    }
    await mkdir(this.decisions, { recursive: true });
    const id = randomBytes(6).toString('hex');
    await writeDurably(file, id);
    this.instanceId = id;
    return id;
  }

  async recordCommit(txid: string, gids: readonly string[]): Promise<void> {
    await writeDurably(join(this.decisions, `${txid}.commit`), JSON.stringify({ txid, gids, at: new Date().toISOString() }));
  }

  async committed(txid: string): Promise<boolean> {
    try {
      await readFile(join(this.decisions, `${txid}.commit`));
      return true;
    } catch {
      return false;
    }
  }

  async forget(txid: string): Promise<void> {
    await rm(join(this.decisions, `${txid}.commit`), { force: true });
  }

  /** Transaction ids with a commit decision on record. */
  async pending(): Promise<string[]> {
    try {
      return (await readdir(this.decisions)).filter((f) => f.endsWith('.commit')).map((f) => f.slice(0, -'.commit'.length));
    } catch {
      return [];
    }
  }
}

/** Writes `file` and fsyncs it and its directory, so the record survives a crash of the machine too. */
async function writeDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  const dir = await open(join(file, '..'), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
