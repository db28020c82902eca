/**
 * Hasura lists the fields of every object and input type in name order (its schema is
 * built from name-keyed maps), and introspection shows them so; the schema builders pass
 * their field maps through `sorted` to do the same.
 */
export function sorted<T>(fields: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(fields).sort()) out[key] = fields[key] as T;
  return out;
}
