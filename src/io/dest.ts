import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { FILE_CONCURRENCY, mapConcurrent } from './concurrency.js';
import { UserError } from '../errors.js';

/**
 * Writes files under `dest`. Every path comes from checked metadata, but one that would land
 * outside DEST (`..`, an absolute path) is refused anyway: in never writes anywhere else.
 */
export async function writeInside(dest: string, files: ReadonlyMap<string, string>): Promise<void> {
  const root = resolve(dest);
  for (const path of files.keys()) {
    const rel = relative(root, resolve(root, path));
    if (rel === '' || rel.split(/[\\/]/)[0] === '..' || isAbsolute(rel)) {
      throw new UserError(`refusing to write ${path}: it is outside the destination directory`);
    }
  }
  const dirs = new Set([...files.keys()].map((path) => dirname(resolve(root, path))));
  await Promise.all([...dirs].map((dir) => mkdir(dir, { recursive: true })));
  // Small files carry no trailing newline, so that load_var and $(cat ...) read them as-is.
  await mapConcurrent([...files], FILE_CONCURRENCY, ([path, content]) =>
    writeFile(resolve(root, path), content),
  );
}
