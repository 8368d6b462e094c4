import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_CONCURRENCY, mapConcurrent } from './concurrency.js';
import { FINAL_CONFIG_PATH, METADATA_DIRS } from '../bosh/metadata-files.js';
import { UserError } from '../errors.js';

/** What a sparse checkout keeps of a release repository for readMetadataDir: git's patterns. */
export const METADATA_SPARSE_PATTERNS: readonly string[] = [
  ...METADATA_DIRS.map((dir) => `/${dir}/`),
  `/${FINAL_CONFIG_PATH}`,
];
/** Real index files are a few MB at most; a bigger "YAML" file is not metadata. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

/**
 * Reads the metadata YAML files of a release directory (`config/final.yml`, `.final_builds/**`,
 * `releases/**`) into a map of relative path → text. Symbolic links are refused: a link could
 * make the release read, or `in` write, outside the directory.
 */
export async function readMetadataDir(dir: string): Promise<Map<string, string>> {
  const [finalConfig, ...roots] = await Promise.all([
    regularFile(dir, FINAL_CONFIG_PATH),
    ...METADATA_DIRS.map((root) => listYaml(dir, root)),
  ]);
  const paths = [...(finalConfig ? [FINAL_CONFIG_PATH] : []), ...roots.flat()];
  const texts = await mapConcurrent(paths, FILE_CONCURRENCY, async (path) => {
    const { size } = await lstat(join(dir, path));
    if (size > MAX_FILE_BYTES)
      throw new UserError(`${path} is ${size} bytes: too large for release metadata`);
    return readFile(join(dir, path), 'utf8');
  });
  return new Map(paths.map((path, i) => [path, texts[i] ?? '']));
}

/**
 * Reads the named metadata files of a release directory, by relative path as git names them; a
 * path the directory lacks is left out. The same refusals as readMetadataDir: a symbolic link on
 * the way, a file too large for metadata, and any path that would leave the directory.
 */
export async function readMetadataFiles(
  dir: string,
  paths: readonly string[],
): Promise<Map<string, string>> {
  const texts = await mapConcurrent(paths, FILE_CONCURRENCY, async (path) => {
    if (path.startsWith('/') || path.split('/').some((part) => ['', '.', '..'].includes(part)))
      throw new UserError(
        `${path} is not a path inside ${dir}: release metadata paths are relative`,
      );
    if (!(await regularFile(dir, path))) return undefined;
    const { size } = await lstat(join(dir, path));
    if (size > MAX_FILE_BYTES)
      throw new UserError(`${path} is ${size} bytes: too large for release metadata`);
    return readFile(join(dir, path), 'utf8');
  });
  const files = new Map<string, string>();
  paths.forEach((path, i) => {
    const text = texts[i];
    if (text !== undefined) files.set(path, text);
  });
  return files;
}

/** The YAML files under `relative`, in path order. */
async function listYaml(dir: string, relative: string): Promise<string[]> {
  let entries;
  try {
    if ((await lstat(join(dir, relative))).isSymbolicLink()) throw symlinkError(dir, relative);
    entries = await readdir(join(dir, relative), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new UserError(`${relative} must be a directory in ${dir}`);
    }
    throw error;
  }
  const sorted = entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  const listed = await mapConcurrent(sorted, FILE_CONCURRENCY, async (entry) => {
    const path = `${relative}/${entry.name}`;
    if (entry.isSymbolicLink()) throw symlinkError(dir, path);
    if (entry.isDirectory()) return listYaml(dir, path);
    return entry.isFile() && /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
  return listed.flat();
}

async function regularFile(dir: string, path: string): Promise<boolean> {
  // Every directory on the way is checked too: config/ itself could be a link.
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const partial = parts.slice(0, i).join('/');
    let stats;
    try {
      stats = await lstat(join(dir, partial));
    } catch {
      return false;
    }
    if (stats.isSymbolicLink()) throw symlinkError(dir, partial);
    if (i === parts.length) return stats.isFile();
  }
  return false;
}

function symlinkError(dir: string, path: string): UserError {
  return new UserError(
    `${path} in ${dir} is a symbolic link: release metadata must be regular files (replace the link with the file)`,
  );
}
