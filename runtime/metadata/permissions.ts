/** pg_create_{select,insert,update,delete}_permission and pg_drop_… (Hasura's Permission). */
import { apiError } from './errors.js';
import { dropEmpty, isObject, listOf, qualifiedName, requireString, showName, sourceOf, trackedTable } from './doc.js';
import { mutate, type Operation } from './operation.js';

const KINDS = ['select', 'insert', 'update', 'delete'] as const;

function create(kind: (typeof KINDS)[number]): Operation {
  return mutate((md, a) => {
    const table = qualifiedName(a.table, '$.args.table');
    const entry = trackedTable(sourceOf(md, a), table);
    const role = requireString(a, 'role');
    if (!isObject(a.permission)) throw apiError('parse-failed', 'key "permission" not found');
    if (role === 'admin') throw apiError('constraint-error', `cannot define permission for admin role`);
    const list = listOf(entry, `${kind}_permissions`);
    if (list.some((p) => p.role === role)) {
      throw apiError('already-exists', `'${kind}' permission on "${showName(table)}" for role "${role}" already exists`);
    }
    list.push({ role, permission: a.permission, ...(a.comment !== undefined ? { comment: a.comment } : {}) });
  });
}

function drop(kind: (typeof KINDS)[number]): Operation {
  return mutate((md, a) => {
    const table = qualifiedName(a.table, '$.args.table');
    const entry = trackedTable(sourceOf(md, a), table);
    const role = requireString(a, 'role');
    const key = `${kind}_permissions`;
    const list = listOf(entry, key);
    if (!list.some((p) => p.role === role)) {
      dropEmpty(entry, key);
      throw apiError('not-exists', `'${kind}' permission on "${showName(table)}" for role "${role}" does not exist`);
    }
    entry[key] = list.filter((p) => p.role !== role);
    dropEmpty(entry, key);
  });
}

export const permissionOperations: Record<string, Operation> = Object.fromEntries(
  KINDS.flatMap((k) => [[`pg_create_${k}_permission`, create(k)], [`pg_drop_${k}_permission`, drop(k)]]),
);
