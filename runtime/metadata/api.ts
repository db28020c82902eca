/**
 * `POST /v1/metadata` (DESIGN.md §6 "metadata API", §9): Hasura's `{type, version?,
 * resource_version?, args}`, admin only. Each change is made on a private copy of the
 * metadata, validated against the live catalogs, persisted to the store, and only then
 * swapped into the engine (in-flight requests finish on the version they started with).
 * Changes are serialised; a `resource_version` that is not the current one is HTTP 409.
 *
 * Inconsistent objects are the objects validation rejects: under
 * `allow_inconsistent_metadata` (and on reload) they are left out of what is served and
 * reported by `get_inconsistent_metadata`; otherwise the change is refused.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Catalog, SourceCatalog } from '../../compiler/catalog/types.js';
import { FarjoinError, MetadataError } from '../../compiler/errors.js';
import { InvalidMetadataError } from '../../compiler/index.js';
import type { EngineLogger } from '../server/log.js';
import type { Session } from '../server/session.js';
import { bulkSteps, runSteps, type BulkStep } from './bulk.js';
import { args as argsOf, cloneMetadata, EMPTY_METADATA, isObject, type Json, type JsonObject, type RawMetadata } from './doc.js';
import { apiError, conflict, MetadataApiError } from './errors.js';
import { pruneInconsistent, type InconsistentObject } from './inconsistency.js';
import { SUCCESS, type OpContext, type Operation } from './operation.js';
import { permissionOperations } from './permissions.js';
import { functionOperations } from './functions.js';
import { relationshipOperations } from './relationships.js';
import { sourceOperations } from './sources.js';
import { sourceTableOperations } from './source-tables.js';
import type { MetadataStore, StoredMetadata } from './store.js';
import { suggestOperations } from './suggest.js';
import { tableOperations } from './tables.js';

/** What the API needs from the engine. */
export interface MetadataHost {
  session(headers: IncomingHttpHeaders): Promise<Session>;
  /**
   * Builds the engine state for `metadata` (connect, introspect, compile), runs
   * `beforeSwap` (persisting), then swaps it in; on any error the old state stays.
   */
  install(metadata: Json, options?: { beforeSwap?: () => Promise<void>; strict?: boolean }): Promise<void>;
  /** Objects the engine itself left out of what it serves (at start-up, e.g. a source that was down). */
  inconsistencies?(): readonly InconsistentObject[];
  /** The catalogs of the state being served. */
  catalog(): Catalog;
  /** A source's catalog read from its database now (the state's may predate a table made since). */
  introspect(source: string): Promise<SourceCatalog>;
  readonly logger: EngineLogger;
}

export interface MetadataResponse {
  readonly status: number;
  readonly body: Json;
}

/** A Map, so that a command named like an Object.prototype key ("constructor") is unknown, not a crash. */
const OPERATIONS: ReadonlyMap<string, Operation> = new Map(Object.entries({
  ...sourceOperations, ...tableOperations, ...relationshipOperations, ...permissionOperations,
  ...suggestOperations, ...sourceTableOperations, ...functionOperations,
}));

/** Operations handled here (they read or replace the whole document, or the store). */
const DOCUMENT_OPERATIONS = new Set([
  'export_metadata', 'replace_metadata', 'clear_metadata', 'reload_metadata', 'get_inconsistent_metadata',
  'drop_inconsistent_metadata', 'bulk', 'get_catalog_state', 'set_catalog_state',
]);

const MUTATING_DOCUMENT_OPERATIONS = new Set(['replace_metadata', 'clear_metadata', 'drop_inconsistent_metadata', 'bulk']);

/** Rounds of leaving out inconsistent objects (a table left out can make its relationships inconsistent). */
const MAX_PRUNE_ROUNDS = 8;

interface CommitOptions {
  readonly allowInconsistent: boolean;
  /** Write to the store (false when the metadata came from it). */
  readonly persist: boolean;
  /** Where structural errors of the whole document point (replace_metadata: `$.args` or `$.args.metadata`). */
  readonly documentPath?: string;
  /** Version the document has in the store when it is not persisted (reload). */
  readonly loadedVersion?: number;
  /** Store what is served, inconsistent objects left out (drop_inconsistent_metadata). */
  readonly keepServed?: boolean;
}

export class MetadataApi {
  private doc: RawMetadata;
  /** `doc` without its inconsistent objects: what the engine serves. */
  private served: RawMetadata;
  private version: number;
  private inconsistent: readonly InconsistentObject[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: MetadataHost, readonly store: MetadataStore, initial: StoredMetadata) {
    this.doc = cloneMetadata(initial.metadata ?? EMPTY_METADATA);
    this.served = this.doc;
    this.version = initial.resourceVersion;
  }

  get resourceVersion(): number {
    return this.version;
  }

  /** The metadata as stored (inconsistent objects included), as `export_metadata` gives it. */
  get metadata(): RawMetadata {
    return this.doc;
  }

  get inconsistentObjects(): readonly InconsistentObject[] {
    return this.inconsistent;
  }

  /** The refusal for a caller who is not admin, or undefined (checked before a body is read). */
  async denied(headers: IncomingHttpHeaders): Promise<MetadataResponse | undefined> {
    try {
      const session = await this.host.session(headers);
      return session.admin ? undefined : this.failure(apiError('access-denied', 'restricted access : admin only'));
    } catch (e) {
      return this.failure(e);
    }
  }

  async handle(body: Json, headers: IncomingHttpHeaders): Promise<MetadataResponse> {
    const denied = await this.denied(headers);
    if (denied) return denied;
    try {
      return { status: 200, body: await this.dispatch(body) };
    } catch (e) {
      return this.failure(e);
    }
  }

  private failure(e: unknown): MetadataResponse {
    if (e instanceof MetadataApiError) return { status: e.status, body: e.toJSON() };
    if (e instanceof FarjoinError && e.visibility === 'user') return { status: 400, body: { path: '$', error: e.message, code: e.code } };
    this.host.logger.error({ err: { message: (e as Error)?.message, stack: (e as Error)?.stack } }, 'metadata request failed');
    return { status: 500, body: { path: '$', error: 'internal error', code: 'unexpected' } };
  }

  private async dispatch(body: Json): Promise<Json> {
    if (!isObject(body)) throw apiError('parse-failed', 'the request body must be an object {type, args}', '$');
    const type = body.type;
    if (typeof type !== 'string') throw apiError('parse-failed', 'key "type" not found', '$');
    const op = OPERATIONS.get(type);
    if (!op && !DOCUMENT_OPERATIONS.has(type)) throw apiError('parse-failed', `unknown metadata command "${type}"`, '$.type');
    const version = typeof body.version === 'number' ? body.version : undefined;
    const referenced = body.resource_version;
    if (referenced !== undefined && typeof referenced !== 'number') throw apiError('parse-failed', 'resource_version must be a number', '$.resource_version');
    const step: BulkStep = { type, version, args: body.args ?? {} };
    const mutating = op ? op.kind === 'mutate' : MUTATING_DOCUMENT_OPERATIONS.has(type);
    if (type === 'reload_metadata') return this.exclusive(() => this.reloadMetadata());
    if (type === 'get_catalog_state' || type === 'set_catalog_state') return this.catalogState(step);
    if (!mutating) return this.answer(this.doc, step, await this.context(step));
    return this.exclusive(async () => {
      try {
        return await this.change(step, referenced);
      } catch (e) {
        // Another instance wrote first (database store): catch up and apply the change to
        // its metadata — unless the caller pinned the version it read.
        if (!(e instanceof MetadataApiError) || e.status !== 409 || referenced !== undefined) throw e;
        await this.syncFromStore();
        return this.change(step, undefined);
      }
    });
  }

  private async change(step: BulkStep, referenced: number | undefined): Promise<Json> {
    if (referenced !== undefined && referenced !== this.version) throw conflict(referenced);
    const next = cloneMetadata(this.doc);
    const ctx = await this.context(step);
    if (step.type === 'replace_metadata') {
      const { metadata, allowInconsistent, v2 } = replaceArgs(step);
      const objects = await this.commit(cloneMetadata(metadata), { allowInconsistent, persist: true, documentPath: v2 ? '$.args.metadata' : '$.args' });
      return step.version === 2 ? consistency(objects) : SUCCESS;
    }
    if (step.type === 'drop_inconsistent_metadata') {
      // Also what the engine left out by itself (metadata read at start-up): found again and dropped.
      await this.commit(cloneMetadata(this.served), { allowInconsistent: true, persist: true, keepServed: true });
      return SUCCESS;
    }
    const response = this.apply(next, step, ctx);
    await this.commit(next, { allowInconsistent: false, persist: true });
    return response;
  }

  /** Runs one mutating or reading step on `md` (a private copy). */
  private apply(md: RawMetadata, step: BulkStep, ctx: OpContext): Json {
    if (step.type === 'bulk') return runSteps(md, bulkSteps(step.args), (m, s) => this.apply(m, s, ctx));
    if (step.type === 'clear_metadata') {
      md.sources = [];
      for (const key of Object.keys(md)) if (key !== 'version' && key !== 'sources') delete md[key];
      return SUCCESS;
    }
    if (step.type === 'replace_metadata') {
      const { metadata } = replaceArgs(step);
      const replaced = cloneMetadata(metadata);
      for (const key of Object.keys(md)) delete md[key];
      Object.assign(md, replaced);
      return SUCCESS;
    }
    const op = OPERATIONS.get(step.type);
    if (!op) {
      if (step.type === 'export_metadata' || step.type === 'get_inconsistent_metadata') return this.answer(md, step, ctx);
      throw apiError('not-supported', `"${step.type}" cannot run inside bulk`, '$.type');
    }
    const result = op.run(md, argsOf(step.args), ctx);
    return result === undefined ? SUCCESS : result;
  }

  /** Hasura's catalog state, kept by the store beside the metadata. */
  private async catalogState(step: BulkStep): Promise<Json> {
    if (step.type === 'get_catalog_state') return this.store.catalogState();
    const a = argsOf(step.args);
    if (a.type !== 'cli' && a.type !== 'console') throw apiError('parse-failed', 'type must be "cli" or "console"', '$.args.type');
    await this.store.setCatalogState(a.type, a.state ?? {});
    return SUCCESS;
  }

  /** Operations that change nothing. */
  private answer(md: RawMetadata, step: BulkStep, ctx: OpContext): Json {
    switch (step.type) {
      case 'export_metadata':
        return step.version === 2 ? { resource_version: this.version, metadata: md } : md;
      case 'get_inconsistent_metadata':
        return consistency([...this.host.inconsistencies?.() ?? [], ...this.inconsistent]);
      default: {
        const op = OPERATIONS.get(step.type);
        if (!op) throw apiError('parse-failed', `unknown metadata command "${step.type}"`, '$.type');
        return op.run(md, argsOf(step.args), ctx) ?? SUCCESS;
      }
    }
  }

  /**
   * Validates `next` against the live catalogs, persists it and swaps it in. Objects that
   * fail validation are left out of what is served when `allowInconsistent`; otherwise
   * the change is refused and nothing is applied. Returns the inconsistent objects.
   */
  private async commit(next: RawMetadata, options: CommitOptions): Promise<readonly InconsistentObject[]> {
    const served = cloneMetadata(next);
    const objects: InconsistentObject[] = [];
    for (let round = 0; ; round++) {
      const expected = this.version;
      let version = options.loadedVersion ?? expected;
      try {
        await this.host.install(served, {
          strict: true,
          beforeSwap: options.persist ? async () => { version = await this.store.save(options.keepServed ? served : next, expected); } : undefined,
        });
      } catch (e) {
        if (e instanceof MetadataError && !(e instanceof InvalidMetadataError)) throw structuralError(e, options.documentPath);
        const problems = problemsOf(e, served);
        if (!problems) throw e;
        const found = options.allowInconsistent && round < MAX_PRUNE_ROUNDS ? pruneInconsistent(served, problems) : undefined;
        if (!found) throw inconsistentError(problems, served, options.documentPath !== undefined);
        objects.push(...found);
        continue;
      }
      this.doc = options.keepServed ? served : next;
      this.served = served;
      this.version = version;
      this.inconsistent = options.keepServed ? [] : objects;
      this.host.logger.info({ resourceVersion: version, inconsistent: objects.length, store: this.store.kind }, 'metadata applied');
      return objects;
    }
  }

  private async reloadMetadata(): Promise<Json> {
    const objects = await this.syncFromStore();
    return objects.length === 0 ? { message: 'success', is_consistent: true } : { message: 'success', is_consistent: false, inconsistent_objects: objects };
  }

  /** Reads the store and serves what it holds (inconsistent objects left out and reported). */
  private async syncFromStore(): Promise<readonly InconsistentObject[]> {
    const stored = await this.store.load();
    return this.commit(cloneMetadata(stored.metadata ?? EMPTY_METADATA), { allowInconsistent: true, persist: false, loadedVersion: stored.resourceVersion });
  }

  /** Re-reads the store, or serves `given` (the library's `engine.reload`); refuses inconsistent metadata. */
  reload(given?: Json): Promise<void> {
    return this.exclusive(async () => {
      if (given !== undefined) {
        await this.commit(cloneMetadata(given), { allowInconsistent: false, persist: false, loadedVersion: this.version, documentPath: '$' });
        return;
      }
      const stored = await this.store.load();
      await this.commit(cloneMetadata(stored.metadata ?? EMPTY_METADATA), { allowInconsistent: false, persist: false, loadedVersion: stored.resourceVersion, documentPath: '$' });
    }).catch((e: unknown) => {
      throw e instanceof MetadataApiError ? new FarjoinError('invalid-metadata', e.message, { path: e.path }) : e;
    });
  }

  /** Another instance changed the store: serve its version if it is newer than ours. */
  onStoreChanged(version: number): Promise<void> {
    return this.exclusive(async () => {
      if (version <= this.version) return;
      await this.syncFromStore();
    }).catch((e: unknown) => {
      this.host.logger.error({ err: { message: (e as Error)?.message } }, 'reloading metadata changed by another instance failed; still serving the previous version');
    });
  }

  /**
   * What operations know of the databases: for operations that look at tables (tracking,
   * relationships, listing), each source read afresh, so a table created a moment ago can
   * be listed and tracked; otherwise the catalogs being served.
   */
  private async context(step: BulkStep): Promise<OpContext> {
    const served = this.host.catalog();
    if (!readsTables(step)) return { catalog: (source) => served.sources[source] };
    const fresh = new Map(await Promise.all(Object.keys(served.sources).map(async (name) =>
      [name, await this.host.introspect(name).catch(() => served.sources[name])] as const)));
    return { catalog: (source) => fresh.get(source) };
  }

  /** Runs `fn` after every change queued before it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    return this.queue.then(() => this.store.close(), () => this.store.close());
  }
}

/** Operations whose checks or answers depend on the tables in the databases. */
function readsTables(step: BulkStep): boolean {
  if (step.type === 'bulk') return Array.isArray(step.args) && step.args.some((s) => isObject(s) && typeof s.type === 'string' && readsTables({ type: s.type, version: undefined, args: s.args }));
  return /^pg_(track|untrack|create_(object|array|remote)_relationship|rename_relationship|suggest_relationships|get_)/.test(step.type);
}

function replaceArgs(step: BulkStep): { metadata: Json; allowInconsistent: boolean; v2: boolean } {
  const a = argsOf(step.args);
  // v2 args (also accepted without `version`, as Hasura does): {allow_inconsistent_metadata, metadata}.
  if (step.version === 2 || isObject(a.metadata)) {
    if (!isObject(a.metadata)) throw apiError('parse-failed', 'key "metadata" not found');
    return { metadata: a.metadata, allowInconsistent: a.allow_inconsistent_metadata === true, v2: true };
  }
  return { metadata: a, allowInconsistent: false, v2: false };
}

function consistency(objects: readonly InconsistentObject[]): JsonObject {
  return { is_consistent: objects.length === 0, inconsistent_objects: objects };
}

/** The validation problems an install failed with, as metadata errors (an unreachable source is one too). */
function problemsOf(e: unknown, served: RawMetadata): readonly MetadataError[] | undefined {
  if (e instanceof InvalidMetadataError) return e.problems;
  if (e instanceof FarjoinError && (e.code === 'source-unavailable' || e.code === 'postgres-error' || e.code === 'timeout')) {
    const source = isObject(e.internal) && typeof e.internal.source === 'string' ? e.internal.source : undefined;
    const i = served.sources.findIndex((s) => s.name === source);
    if (i >= 0) return [new MetadataError(e.message, `$.sources[${i}]`)];
  }
  if (e instanceof FarjoinError && e.code === 'invalid-configuration' && e.path?.startsWith('$.sources[')) {
    return [new MetadataError(e.message, e.path)];
  }
  return undefined;
}

function structuralError(e: MetadataError, documentPath: string | undefined): MetadataApiError {
  const at = e.path ?? '$';
  if (documentPath) return apiError('parse-failed', e.message, `${documentPath}${at.slice(1)}`);
  return apiError('parse-failed', `${e.message} (at ${at})`);
}

function inconsistentError(problems: readonly MetadataError[], served: RawMetadata, wholeDocument: boolean): MetadataApiError {
  const objects = pruneInconsistent(cloneMetadata(served), problems) ?? [];
  const first = problems[0];
  if (wholeDocument) return new MetadataApiError('unexpected', 'cannot continue due to inconsistent metadata', '$.args', 400, objects);
  return new MetadataApiError('invalid-configuration', `${first?.message ?? 'inconsistent metadata'}${first?.path ? ` (at ${first.path})` : ''}`, '$.args', 400, objects);
}
