/**
 * Literal values in permission filters, checked against the column's type at load (issue 11).
 *
 * Hasura parses each literal with the column's type when it loads a permission
 * (`parsePGValue`): a JSON number, boolean, object or list that is not a value of the type
 * makes the permission inconsistent, in aeson's words (`parsing Integer expected for input
 * type: PGInteger failed, expected Number, but encountered Boolean`); a list operator
 * (`_in`, `_nin`) needs a list (`parsing [] failed, expected Array, but encountered
 * String`). A JSON string is accepted whatever the type and left to Postgres to cast — so
 * `"true"` for a boolean works, as it does in Hasura. Beyond Hasura, a string Postgres can
 * never cast to the type (`"abc"` for an integer, which would fail every request of the
 * role with a data exception) is reported at load too, for the types where that is certain.
 * Session variables are typed at request time, as in Hasura.
 */
import type { PgType } from '../catalog/types.js';

/** Hasura's PGScalarType constructor names, as `show` prints them in its parse errors. */
const INTEGERS: Readonly<Record<string, { show: string; min: bigint; max: bigint }>> = {
  int2: { show: 'PGSmallInt', min: -32768n, max: 32767n },
  int4: { show: 'PGInteger', min: -2147483648n, max: 2147483647n },
  int8: { show: 'PGBigInt', min: -9223372036854775808n, max: 9223372036854775807n },
};
const FLOATS: Readonly<Record<string, string>> = { float4: 'PGFloat', float8: 'PGDouble' };
const TEXT = new Set(['text', 'varchar', 'bpchar', 'citext', 'name']);
const LIST_OPERATORS = new Set(['_in', '_nin', '_has_keys_any', '_has_keys_all']);
/** Postgres's boolean input (boolin): these words and any unique prefix of them, in any case. */
const BOOLEAN_WORDS = ['true', 'false', 'yes', 'no', 'on', 'off', '1', '0'];
const UUID = /^\s*\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?\s*$/i;

/** aeson's name for a JSON value's kind. */
function encountered(v: unknown): string {
  if (v === null) return 'Null';
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'object') return 'Object';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'number') return 'Number';
  return 'Boolean';
}

function builtIn(t: PgType): string | undefined {
  return t.schema === 'pg_catalog' ? t.name : undefined;
}

/** Why a string can never be a value of the type (Postgres would refuse to cast it), if it cannot. */
function uncastable(text: string, t: PgType): string | undefined {
  const name = builtIn(t);
  if (name === undefined) return undefined;
  const integer = INTEGERS[name];
  if (integer) {
    const n = /^\s*[+-]?\d+\s*$/.test(text) ? BigInt(text.trim()) : undefined;
    return n === undefined || n < integer.min || n > integer.max ? `"${text}" is not a value of type ${t.name}` : undefined;
  }
  if (FLOATS[name] !== undefined || name === 'numeric') {
    const ok = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) || /^\s*[+-]?(infinity|inf|nan)\s*$/i.test(text);
    return ok ? undefined : `"${text}" is not a value of type ${t.name}`;
  }
  if (name === 'bool') {
    const word = text.trim().toLowerCase();
    // 'o' is ambiguous (on, off).
    const ok = word !== '' && word !== 'o' && BOOLEAN_WORDS.some((w) => w.startsWith(word));
    return ok ? undefined : `"${text}" is not a value of type boolean`;
  }
  if (name === 'uuid') return UUID.test(text) ? undefined : `"${text}" is not a value of type uuid`;
  return undefined;
}

/** Hasura's parse of one non-null, non-string literal with the column's type; the error, if it fails. */
function parseScalar(v: unknown, t: PgType): string | undefined {
  const name = builtIn(t);
  if (t.category === 'A') return Array.isArray(v) ? undefined : `parsing [] failed, expected Array, but encountered ${encountered(v)}`;
  if (name === undefined) return undefined;
  const integer = INTEGERS[name];
  if (integer) {
    if (typeof v !== 'number') return `parsing Integer expected for input type: ${integer.show} failed, expected Number, but encountered ${encountered(v)}`;
    const ok = Number.isInteger(v) && BigInt(v) >= integer.min && BigInt(v) <= integer.max;
    return ok ? undefined : `The value ${v} lies outside the bounds or is not an integer. Maybe it is a float, or is there integer overflow?`;
  }
  const float = FLOATS[name];
  if (float) return typeof v === 'number' ? undefined : `parsing Float expected for input type: ${float} failed, expected Number, but encountered ${encountered(v)}`;
  if (name === 'numeric') return typeof v === 'number' ? undefined : `parsing Scientific failed, expected Number, but encountered ${encountered(v)}`;
  if (name === 'bool') return typeof v === 'boolean' ? undefined : `parsing Bool failed, expected Boolean, but encountered ${encountered(v)}`;
  if (TEXT.has(name)) return `parsing Text failed, expected String, but encountered ${encountered(v)}`;
  if (name === 'uuid') return `parsing UUID failed, expected String, but encountered ${encountered(v)}`;
  return undefined;
}

function scalarProblem(v: unknown, t: PgType): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return uncastable(v, t);
  return parseScalar(v, t);
}

const TEXT_TYPE: PgType = { schema: 'pg_catalog', name: 'text', category: 'S' };

/**
 * The problem with the literal of a permission comparison `op` on a column of type `t`, and
 * where below the operator it is (`[2]` for a list element); undefined when it is fine.
 */
export function literalProblem(op: string, value: unknown, t: PgType, arrayLiteral: boolean): { reason: string; at: string } | undefined {
  if (arrayLiteral || op === '_is_null' || op === '_contains' || op === '_contained_in' || op.startsWith('_st_')) {
    if (op === '_is_null' && value !== null && typeof value !== 'boolean') return { reason: `parsing Bool failed, expected Boolean, but encountered ${encountered(value)}`, at: '' };
    return undefined;
  }
  const element = op === '_has_key' || op === '_has_keys_any' || op === '_has_keys_all' ? TEXT_TYPE : t;
  if (!LIST_OPERATORS.has(op)) {
    const reason = scalarProblem(value, element);
    return reason ? { reason, at: '' } : undefined;
  }
  if (!Array.isArray(value)) return { reason: `parsing [] failed, expected Array, but encountered ${encountered(value)}`, at: '' };
  for (let i = 0; i < value.length; i++) {
    const reason = scalarProblem(value[i], element);
    if (reason) return { reason, at: `[${i}]` };
  }
  return undefined;
}
