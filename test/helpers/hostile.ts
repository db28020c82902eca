/**
 * Generated hostile input (issue 16) over the demo schema (orders in source_db, "user" in
 * target_db): a seeded PRNG makes valid documents, mutated ones, oversized and deeply nested
 * ones, mutations, subscriptions, metadata API calls, explain requests and malformed HTTP,
 * with injection strings in values, variables and session variables. The same seed always
 * makes the same cases; test/integration/hostile-input.test.ts sends them and judges the
 * answers.
 */

export const INJECTIONS = [
  "'; DROP TABLE orders; --", '" OR 1=1 --', '$1', '\\', '\u0000', '%_%', '1; SELECT pg_sleep(10)', '); DELETE FROM "user"; --',
  '${x}', '{"_eq": 1}', 'NaN', '-Infinity', '2023-13-45', '9'.repeat(400), 'ä\u202e\ud83d\ude00', '\\u0000', '__proto__', 'constructor',
  "x-hasura-user-id", '{{', '\ud800', ' ', '',
];

/** The injections an HTTP header can carry (printable ASCII). */
export const HEADER_SAFE = INJECTIONS.filter((s) => /^[\x20-\x7e]+$/.test(s));

/** An HTTP request: what the generator asks the test to send. */
export interface HttpCase {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** A request written byte by byte on a socket (header bytes fetch refuses to send). */
export interface RawCase {
  readonly raw: Buffer;
}

export class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }

  value(): unknown {
    switch (this.int(8)) {
      case 0: return this.int(10) - 2;
      case 1: return this.pick(INJECTIONS);
      case 2: return this.r() * 1e6;
      case 3: return null;
      case 4: return [this.int(5), this.int(5)];
      case 5: return this.pick([2147483648, -2147483649, 1e308, -0, 0.5, Number.MAX_SAFE_INTEGER]);
      case 6: return this.pick([true, false]);
      default: return { nested: this.pick(INJECTIONS) };
    }
  }
  /** An id that usually fits the demo tables (0–40), sometimes not. */
  id(): unknown {
    return this.chance(0.85) ? this.int(41) : this.value();
  }
  literal(v: unknown): string {
    if (v === null) return 'null';
    if (Array.isArray(v)) return `[${v.map((x) => this.literal(x)).join(', ')}]`;
    if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${this.literal(x)}`).join(', ')}}`;
    if (typeof v === 'number' && !Number.isFinite(v)) return '0';
    return JSON.stringify(v);
  }
  where(columns: readonly string[], depth = 0): string {
    const col = this.pick(columns);
    const op = this.pick(['_eq', '_neq', '_gt', '_lte', '_in', '_nin', '_is_null', '_like', '_ilike', '_similar', '_regex']);
    const v = op === '_in' || op === '_nin' ? [this.int(5), this.int(5)] : op === '_is_null' ? this.chance(0.5)
      : op.startsWith('_') && /like|similar|regex/.test(op) ? this.pick(INJECTIONS) : this.value();
    const leaf = `{${col}: {${op}: ${this.literal(v)}}}`;
    if (depth < 2 && this.chance(0.3)) return `{_or: [${leaf}, ${this.where(columns, depth + 1)}]}`;
    if (depth < 2 && this.chance(0.2)) return `{_not: ${this.where(columns, depth + 1)}}`;
    if (depth < 2 && this.chance(0.1)) return `{_and: [${leaf}, ${this.where(columns, depth + 1)}]}`;
    return leaf;
  }
  args(columns: readonly string[]): string {
    const parts: string[] = [];
    if (this.chance(0.6)) parts.push(`where: ${this.where(columns)}`);
    if (this.chance(0.4)) parts.push(`limit: ${this.pick([0, 1, 3, -1, 2147483648])}`);
    if (this.chance(0.3)) parts.push(`offset: ${this.int(4)}`);
    if (this.chance(0.5)) parts.push(`order_by: {id: ${this.pick(['asc', 'desc', 'desc_nulls_last'])}}`);
    if (this.chance(0.05)) parts.push(`distinct_on: ${this.pick(['id', 'user_id', 'name', '[id]'])}`);
    return parts.length > 0 ? `(${parts.join(', ')})` : '';
  }
  /** A valid selection over orders/user with the key columns selected, nested up to `depth`. */
  orders(depth: number): string {
    const user = depth > 0 && this.chance(0.7) ? ` user { ${this.user(depth - 1)} }` : '';
    return `id user_id${this.chance(0.1) ? ' __typename' : ''}${user}`;
  }
  user(depth: number): string {
    const orders = depth > 0 && this.chance(0.7) ? ` orders${this.args(['id', 'user_id'])} { ${this.orders(depth - 1)} }` : '';
    return `id name${orders}`;
  }
  fields(): string {
    const fields: string[] = [];
    if (this.chance(0.7)) fields.push(`orders${this.args(['id', 'user_id'])} { ${this.orders(this.int(4))} }`);
    if (this.chance(0.5)) fields.push(`user${this.args(['id', 'name'])} { ${this.user(this.int(4))} }`);
    if (this.chance(0.2)) fields.push(`orders_aggregate${this.args(['id', 'user_id'])} { aggregate { count ${this.pick(['', '__typename', 'max { id }', 'sum { user_id }'])} } ${this.chance(0.3) ? 'nodes { id }' : ''} }`);
    if (this.chance(0.1)) fields.push(`orders_by_pk(id: ${this.literal(this.value())}) { id user_id }`);
    if (fields.length === 0) fields.push('orders { id user_id }');
    return fields.join(' ');
  }
  valid(): string {
    return `{ ${this.fields()} }`;
  }
  /** A document with a few characters cut, inserted or renamed. */
  mutate(q: string): string {
    for (let i = 0, n = 1 + this.int(3); i < n; i++) {
      const at = this.int(q.length);
      switch (this.int(3)) {
        case 0: q = q.slice(0, at) + q.slice(at + 1 + this.int(5)); break;
        case 1: q = q.slice(0, at) + this.pick(['{', '}', '(', ')', ':', '$x', '"', '...', '@skip', '@include(if: $x)', '__schema', ' x ', '#', '[', '!', '=']) + q.slice(at); break;
        default: q = q.replace(this.pick(['id', 'user', 'orders', 'where', 'limit', '_eq', 'objects', '_set', 'name']), this.pick(['ID', 'users', 'order', 'wher', 'lim', '_equals', 'name', 'object', '_inc', 'user_id']));
      }
    }
    return q;
  }
  mutated(): string {
    return this.mutate(this.valid());
  }
  oversized(): { query: string; variables?: Record<string, unknown> } {
    switch (this.int(7)) {
      case 0: return { query: `{ orders(where: ${'{_and: ['.repeat(300)}{id: {_eq: 1}}${']}'.repeat(300)}) { id } }` };
      case 1: return { query: `{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: orders { id }`).join(' ')} }` };
      case 2: return { query: 'query Q($v: Int) { orders(where: {id: {_eq: $v}}) { id } }', variables: { v: 1, unused: JSON.parse('['.repeat(500) + ']'.repeat(500)) as unknown } };
      case 3: return { query: `{ orders(where: {user_id: {_in: [${Array.from({ length: 5000 }, (_, i) => i).join(',')}]}}) { id } }` };
      case 4: return { query: `{ ${'user { orders { '.repeat(40)}id${' } }'.repeat(40)} }` };
      case 5: return { query: `query { ${'...F '.repeat(50)} } fragment F on query_root { orders { id } }` };
      default: return { query: `{ orders(where: {id: {_eq: ${JSON.stringify('x'.repeat(100_000))}}}) { id } }` };
    }
  }
  session(): Record<string, string> {
    switch (this.int(7)) {
      case 0: return { 'x-hasura-admin-secret': 'nope', 'x-hasura-role': 'user', 'x-hasura-user-id': '1' };
      case 1: return { 'x-hasura-role': 'user', 'x-hasura-user-id': this.pick(HEADER_SAFE) };
      case 2: return { 'x-hasura-role': this.pick(['admin', 'anonymous', "user'--", 'USER', '']), 'x-hasura-user-id': '2' };
      case 3: return { 'x-hasura-role': 'user', 'x-hasura-user-id': String(this.int(5)), [`x-hasura-${this.pick(['x', 'org-id', 'user_id', "a'b", '-'])}`]: this.pick(HEADER_SAFE) };
      default: return { 'x-hasura-role': 'user', 'x-hasura-user-id': String(this.int(5)) };
    }
  }
  /** A request body for /v1/graphql: a query document, variables sometimes. */
  queryRequest(): { kind: string; request: { query: string; variables?: Record<string, unknown> } } {
    const roll = this.int(10);
    if (roll < 6) return { kind: 'valid', request: { query: this.valid() } };
    if (roll < 9) return { kind: 'mutated', request: { query: this.mutated() } };
    return { kind: 'oversized', request: this.oversized() };
  }

  // ── mutations (the hostile test's metadata lets role user write its own orders and name)
  orderObject(): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    if (this.chance(0.9)) o.id = this.id();
    if (this.chance(0.9)) o.user_id = this.chance(0.7) ? this.int(5) : this.value();
    if (this.chance(0.05)) o[this.pick(['name', 'user', '__typename', 'ID'])] = this.value();
    return o;
  }
  mutationField(): string {
    switch (this.int(10)) {
      case 0: {
        const conflict = this.chance(0.3) ? `, on_conflict: {constraint: ${this.pick(['orders_pkey', 'nope'])}, update_columns: [${this.pick(['user_id', '', 'id'])}]${this.chance(0.3) ? `, where: ${this.where(['id', 'user_id'])}` : ''}}` : '';
        return `insert_orders(objects: ${this.literal(Array.from({ length: 1 + this.int(3) }, () => this.orderObject()))}${conflict}) { affected_rows returning { id user_id } }`;
      }
      case 1: return `insert_orders_one(object: ${this.literal(this.orderObject())}) { id user_id }`;
      case 2: return `update_orders(where: ${this.where(['id', 'user_id'])}, ${this.pick(['_set', '_inc'])}: {${this.pick(['user_id', 'id'])}: ${this.literal(this.id())}}) { affected_rows returning { id user_id } }`;
      case 3: return `update_orders_by_pk(pk_columns: {id: ${this.literal(this.id())}}, _set: {user_id: ${this.literal(this.id())}}) { id user_id }`;
      case 4: return `delete_orders(where: ${this.chance(0.1) ? '{}' : this.where(['id', 'user_id'])}) { affected_rows returning { id user_id } }`;
      case 5: return `delete_orders_by_pk(id: ${this.literal(this.id())}) { id user_id }`;
      case 6: return `update_user(where: ${this.where(['id', 'name'])}, _set: {name: ${this.literal(this.chance(0.6) ? this.pick(INJECTIONS) : this.value())}}) { affected_rows returning { id name } }`;
      case 7: return `update_user_by_pk(pk_columns: {id: ${this.literal(this.id())}}, _set: {name: ${this.literal(this.pick(INJECTIONS))}}) { id name }`;
      case 8: return `insert_user(objects: [{id: ${this.literal(this.id())}, name: ${this.literal(this.pick(INJECTIONS))}}]) { affected_rows }`;
      default: return `delete_user(where: ${this.where(['id', 'name'])}) { affected_rows }`;
    }
  }
  /** A mutation document (one to three fields, across both databases), or one with variables. */
  mutationRequest(): { kind: string; request: { query: string; variables?: unknown } } {
    const roll = this.int(10);
    if (roll < 2) {
      const variables = this.chance(0.8) ? { o: this.chance(0.8) ? [this.orderObject()] : this.value(), s: this.chance(0.5) ? { user_id: this.id() } : this.value() } : this.pick([null, [], 'x', 1]);
      return { kind: 'variables', request: { query: 'mutation M($o: [orders_insert_input!]!, $s: orders_set_input) { insert_orders(objects: $o) { affected_rows } update_orders(where: {id: {_eq: 1}}, _set: $s) { affected_rows } }', variables: variables as Record<string, unknown> } };
    }
    const doc = `mutation { ${Array.from({ length: 1 + this.int(3) }, (_, i) => `m${i}: ${this.mutationField()}`).join(' ')} }`;
    return roll < 8 ? { kind: 'valid', request: { query: doc } } : { kind: 'mutated', request: { query: this.mutate(doc) } };
  }

  // ── subscriptions (both WebSocket protocols)
  subscriptionRequest(): { kind: string; request: { query: string; variables?: unknown; operationName?: unknown } } {
    const roll = this.int(10);
    if (roll < 5) return { kind: 'valid', request: { query: `subscription { ${this.fields()} }` } };
    if (roll < 6) return { kind: 'query', request: { query: this.valid() } };
    if (roll < 8) return { kind: 'mutated', request: { query: this.mutate(`subscription { ${this.fields()} }`) } };
    if (roll < 9) return { kind: 'oversized', request: this.oversized() };
    return { kind: 'junk', request: { query: this.pick(['', 'subscription', 'subscription { orders_stream(batch_size: 1, cursor: {initial_value: {id: "x"}}) { id } }', 'subscription A { orders { id } } subscription B { user { id } }']), variables: this.value(), operationName: this.pick([undefined, 'A', 5, null]) } };
  }
  /** A frame that is not a well-formed protocol message. */
  junkFrame(id: string): string {
    return this.pick([
      '{', 'null', '[]', '"x"', JSON.stringify({ type: 'nope' }), JSON.stringify({ type: 'subscribe' }), JSON.stringify({ type: 'start', id }),
      JSON.stringify({ type: 'subscribe', id, payload: 'x' }), JSON.stringify({ type: 'start', id, payload: { query: 5 } }),
      JSON.stringify({ type: 'connection_init', payload: [] }), JSON.stringify({ id: { x: 1 }, type: 'subscribe', payload: { query: '{ orders { id } }' } }),
      JSON.stringify({ type: 'ping', payload: 'x'.repeat(10_000) }), 'x'.repeat(70_000),
    ]);
  }

  // ── the metadata API and explain
  tableRef(): unknown {
    return this.pick([
      { schema: 'public', name: 'orders' }, 'orders', { schema: 'public', name: 'user' }, { schema: this.pick(INJECTIONS), name: this.pick(INJECTIONS) },
      { name: 'nope' }, null, 5, [], { schema: 'public', name: 'orders', extra: 1 },
    ]);
  }
  metadataArgs(type: string): unknown {
    const source = this.pick(['source_db', 'target_db', 'nope', this.pick(INJECTIONS), 5, null]);
    const table = this.tableRef();
    switch (type) {
      case 'pg_track_table': case 'pg_untrack_table': return { source, table, cascade: this.pick([true, false, 'yes']) };
      case 'pg_create_select_permission': case 'pg_create_insert_permission': case 'pg_create_update_permission': case 'pg_create_delete_permission':
        return { source, table, role: this.pick(['user', 'admin', this.pick(INJECTIONS), '']), permission: this.pick([
          { columns: '*', filter: {} }, { columns: ['id', 'nope'], filter: { user_id: { _eq: 'X-Hasura-User-Id' } } },
          { columns: [this.pick(INJECTIONS)], filter: { [this.pick(INJECTIONS)]: { _eq: 1 } } }, { filter: { _and: 'x' } }, null, 'x',
          { columns: ['id'], filter: JSON.parse('{"_and":['.repeat(60) + '{}' + ']}'.repeat(60)) as unknown }, { columns: ['id'], check: { id: { _like: 5 } }, set: { id: 'X-Hasura-Nope' } },
        ]) };
      case 'pg_drop_select_permission': return { source, table, role: this.pick(['user', 'nope', 5]) };
      case 'pg_create_object_relationship': case 'pg_create_array_relationship':
        return { source, table, name: this.pick(['rel', 'user', this.pick(INJECTIONS), '']), using: this.pick([
          { foreign_key_constraint_on: this.pick(['user_id', 'nope', ['a', 'b'], 5]) },
          { manual_configuration: { remote_table: this.tableRef(), column_mapping: { user_id: this.pick(['id', 'nope', 5]) } } }, {}, 'x',
        ]) };
      case 'pg_create_remote_relationship': case 'pg_update_remote_relationship':
        return { source, table, name: this.pick(['r', 'user', this.pick(INJECTIONS)]), definition: this.pick([
          { to_source: { relationship_type: this.pick(['object', 'array', 'many']), source: this.pick(['target_db', 'nope']), table: this.tableRef(), field_mapping: { user_id: this.pick(['id', 'nope']) } } },
          { to_remote_schema: { remote_schema: 'x', lhs_fields: ['id'], remote_field: {} } }, null, { to_source: 'x' },
        ]) };
      case 'pg_drop_relationship': case 'pg_delete_remote_relationship': return { source, table, relationship: this.pick(['user', 'orders', 'nope', 5]), name: this.pick(['user', 'nope']) };
      case 'pg_add_source': return { name: this.pick(['third', 'source_db', this.pick(INJECTIONS)]), configuration: { connection_info: { database_url: this.pick(['postgres://x@127.0.0.1:1/db', this.pick(INJECTIONS), { from_env: this.pick(['NOPE', 'PATH', 'SOURCE_DB_URL']) }, 5]) } } };
      case 'pg_set_table_customization': return { source, table, configuration: { custom_name: this.pick(['x', '', this.pick(INJECTIONS), 'orders']), custom_root_fields: { select: this.pick(['user', 5, '']) }, column_config: { id: { custom_name: this.pick(['user_id', 'x', '1x']) } } } };
      case 'bulk': return Array.from({ length: 1 + this.int(3) }, () => { const t = this.metadataType(); return { type: t, args: this.metadataArgs(t) }; });
      case 'replace_metadata': return this.pick([{ version: 3, sources: 'x' }, { metadata: { version: 3, sources: [] }, allow_inconsistent_metadata: true }, { version: 99 }, null]);
      case 'pg_get_table_info': case 'pg_suggest_relationships': return { source, tables: [table], omit_tracked: this.value() };
      default: return this.pick([{}, null, [], 'x', 5, { source, table }, { [this.pick(INJECTIONS)]: this.value() }]);
    }
  }
  metadataType(): string {
    return this.pick([
      'pg_track_table', 'pg_untrack_table', 'pg_create_select_permission', 'pg_create_insert_permission', 'pg_create_update_permission',
      'pg_create_delete_permission', 'pg_drop_select_permission', 'pg_create_object_relationship', 'pg_create_array_relationship',
      'pg_create_remote_relationship', 'pg_update_remote_relationship', 'pg_drop_relationship', 'pg_delete_remote_relationship',
      'pg_add_source', 'pg_set_table_customization', 'bulk', 'replace_metadata', 'export_metadata', 'get_inconsistent_metadata',
      'reload_metadata', 'pg_get_table_info', 'pg_suggest_relationships', 'pg_get_source_tables', 'pg_track_function', 'nope', 'pg_', '',
      this.pick(INJECTIONS),
    ]);
  }
  metadataRequest(): unknown {
    const roll = this.int(20);
    if (roll === 0) return this.value();
    if (roll === 1) return { type: this.value(), args: this.value() };
    if (roll === 2) return { args: {} };
    const type = this.metadataType();
    return { type, args: this.metadataArgs(type), ...(this.chance(0.1) ? { version: this.pick([1, 2, 'x']), resource_version: this.value() } : {}) };
  }
  explainRequest(): unknown {
    const { request } = this.chance(0.8) ? this.queryRequest() : this.mutationRequest();
    return this.pick([
      { query: request, user: this.chance(0.5) ? this.session() : this.value() },
      { query: request },
      { query: request.query },
      { query: { ...request, operationName: this.value() }, analyze: this.pick([true, false, 'x']) },
      this.value(),
    ]);
  }

  // ── malformed HTTP
  malformedHttp(): HttpCase {
    const valid = JSON.stringify({ query: this.valid() });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const path = this.pick(['/v1/graphql', '/v1/graphql', '/v1/graphql/explain', '/v1/metadata', '/v1/graphql?query={orders{id}}', '//v1/graphql', '/v1/graphql/../metadata', '/v1/graphql%00', '/v1/graphql/']);
    switch (this.int(12)) {
      case 0: return { method: 'POST', path, headers: { 'content-type': this.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/json; charset=latin1', 'application/graphql']) }, body: this.pick([valid, 'query={orders{id}}', '{ orders { id } }']) };
      case 1: return { method: 'POST', path, headers, body: valid.slice(0, this.int(valid.length)) };
      case 2: return { method: 'POST', path, headers, body: this.pick(['1', '"x"', 'null', 'true', '[]', '{}', '[[]]', '[1, "x", null]', '\u0000', '\ufeff{}']) };
      case 3: return { method: 'POST', path, headers, body: JSON.stringify([{ query: this.valid() }, this.value(), { query: this.value() }, ...(this.chance(0.3) ? [[{ query: '{ orders { id } }' }]] : [])]) };
      case 4: return { method: 'POST', path, headers, body: JSON.stringify({ query: this.value(), variables: this.value(), operationName: this.value(), extensions: this.value() }) };
      case 5: return { method: 'POST', path, headers, body: JSON.stringify({ query: 'query Q($id: Int) { orders(where: {id: {_eq: $id}}) { id } }', variables: this.pick([null, 'x', [], 5, { id: null }, { id: 'x' }, { id: [1] }]) }) };
      case 6: return { method: 'POST', path, headers, body: `{"query": "{ orders { id } }", "padding": "${'x'.repeat(this.pick([1_100_000, 3_000_000]))}"}` };
      case 7: return { method: this.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']), path, headers, ...(this.chance(0.5) ? { body: valid } : {}) };
      case 8: return { method: 'POST', path, headers: { ...headers, ...this.session(), 'x-farjoin-strategy': this.pick(['fdw', 'nope', "'; --", '']) }, body: valid };
      case 9: return { method: 'POST', path, headers: { ...headers, 'x-hasura-role': 'user', 'x-hasura-user-id': this.pick(['1', '1 ', ' 1', '0x1', '1e0', '01', '-1', '1.5']) }, body: valid };
      case 10: return { method: 'POST', path, headers: { ...headers, 'content-encoding': this.pick(['gzip', 'br', 'nope']) }, body: valid };
      default: return { method: 'POST', path, headers: { ...headers, authorization: this.pick(['Bearer x', 'Bearer ', 'Basic xyz', 'Bearer a.b.c', 'x'.repeat(5000)]) }, body: valid };
    }
  }
  /** A request with header bytes no HTTP client library would send. */
  rawHttp(port: number): RawCase {
    const body = JSON.stringify({ query: '{ orders { id user_id } }' });
    const header = this.pick([
      'x-hasura-role: us\x7fer', 'x-hasura-role: user\r\nx-hasura-role: admin', 'x-hasura-user-id: \xff\xfe', 'x-hasura-user-id: 1\x00',
      'x-hasura-role: user\r\nx-hasura-user-id: 1\r\nx-hasura-user-id: 2', `x-hasura-user-id: ${'1'.repeat(20_000)}`,
      'x hasura role: user', 'x-hasura-role:user', 'x-hasura-role: \tuser\t', Array.from({ length: 300 }, (_, i) => `x-h${i}: v`).join('\r\n'),
      'transfer-encoding: chunked', 'content-length: 5', 'content-length: 100000', 'content-length: -1', 'x-hasura-role: user\nx-hasura-user-id: 1',
    ]);
    const lines = ['POST /v1/graphql HTTP/1.1', `host: 127.0.0.1:${port}`, 'content-type: application/json', 'connection: close'];
    if (!/content-length|transfer-encoding/.test(header)) lines.push(`content-length: ${Buffer.byteLength(body)}`);
    lines.push(header);
    return { raw: Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)]) };
  }
}

/** The number of cases per front door: FARJOIN_HOSTILE_CASES (the large run), else `suite`. */
export function casesPerDoor(suite: number): number {
  const n = Number(process.env.FARJOIN_HOSTILE_CASES);
  return Number.isInteger(n) && n > 0 ? n : suite;
}

/** Rows of `data` at any depth, each with the name of the field whose list or object holds it. */
export function rowsWith(data: unknown, out: { list: string; row: Record<string, unknown> }[] = []): typeof out {
  const pending: unknown[] = [data];
  while (pending.length > 0) {
    const next = pending.pop();
    if (Array.isArray(next)) pending.push(...next);
    else if (next && typeof next === 'object') {
      for (const [k, v] of Object.entries(next)) {
        if (Array.isArray(v) || (v && typeof v === 'object')) {
          for (const r of Array.isArray(v) ? v : [v]) if (r && typeof r === 'object' && !Array.isArray(r)) out.push({ list: k, row: r as Record<string, unknown> });
          pending.push(v);
        }
      }
    }
  }
  return out;
}

/** What a non-admin must never see: SQL, a stack, driver detail. Its own input (the injections) may be echoed. */
export function leaks(text: string): boolean {
  const shown = INJECTIONS.filter((x) => x.length > 0).reduce((t, x) => t.split(JSON.stringify(x).slice(1, -1)).join(''), text);
  return /\bSELECT\b|\bFROM "|\bjson_agg\b|\bWHERE\b.*\$\d|\n\s+at |\bstack\b|node_modules|\.ts:\d+|\.js:\d+/.test(shown);
}
