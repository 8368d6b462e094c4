import { yamlMapping, type YamlMapping } from './canonical-yaml.js';
import { releaseIndexPath, type MetadataFiles } from './metadata-files.js';
import { readIndexFile, tryReadCanonicalIndexFile, writeIndexFile } from './index-file.js';

// `releases/<name>/index.yml` (bosh-cli releasedir/fs_release_index.go): key = a random ID,
// entry = {version}. The CLI refuses to add a version string that is already listed, but real
// repositories list some twice after a merge (uaa-release: "59" and "60").

/** A release index: versions by random ID, in file order. */
export interface ReleaseIndex {
  readonly builds: ReadonlyMap<string, string>;
}

const FIELDS = ['version'] as const;
const NO_OPTIONAL_FIELDS = new Set<string>();

/** Reads a release index; a malformed or truncated file is a UserError naming it. */
export function parseReleaseIndex(text: string, path: string): ReleaseIndex {
  const fast = tryReadCanonicalIndexFile(text, FIELDS, NO_OPTIONAL_FIELDS);
  const builds = new Map<string, string>();
  if (fast !== undefined && fast.every(([, [version]]) => !!version)) {
    for (const [id, [version]] of fast) builds.set(id, version ?? '');
    return { builds };
  }
  for (const { key, fields } of readIndexFile(text, path))
    builds.set(key, fields.string('version'));
  return { builds };
}

/** Writes a release index byte-identical to the bosh CLI. */
export function writeReleaseIndex(index: ReleaseIndex): string {
  return writeIndexFile(
    [...index.builds].map(([id, version]): [string, YamlMapping] => [
      id,
      yamlMapping([['version', version]]),
    ]),
  );
}

/** The release index of a release among metadata files; an absent index is empty. */
export function readReleaseIndex(files: MetadataFiles, releaseName: string): ReleaseIndex {
  const path = releaseIndexPath(releaseName);
  const text = files.get(path);
  return text === undefined ? { builds: new Map() } : parseReleaseIndex(text, path);
}
