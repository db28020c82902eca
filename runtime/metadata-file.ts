/** Reads a metadata file (YAML or JSON; Hasura v2 export_metadata shape). */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { FarjoinError } from '../compiler/errors.js';

export async function readMetadataFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory; pass the metadata file' : (e as Error).message;
    throw new FarjoinError('invalid-configuration', `cannot read metadata file ${path}: ${why}`);
  }
  try {
    return parseYaml(text);
  } catch (e) {
    throw new FarjoinError('invalid-metadata', `metadata file ${path} is not valid YAML or JSON: ${(e as Error).message}`);
  }
}
