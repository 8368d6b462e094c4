import { createHash } from 'node:crypto';
import {
  FINAL_BUILDS_DIR,
  FINAL_CONFIG_PATH,
  isMetadataFile,
  manifestIndexPaths,
  releaseIndexPath,
  releaseManifestPath,
  RELEASES_DIR,
} from '../../bosh/index.js';

// Which files of the version's commit `in` fetches, chosen from the commit's listing (paths and
// blob ids, no blob read): config/final.yml, the release index, the manifest, and the
// `.final_builds` indexes the manifest references — or every index (`params.all_metadata`, and
// `source.track: final_builds`, whose commit has no manifest to say which).

/** The files of one version in a commit's listing, by kind. */
interface ReleaseListing {
  /** config/final.yml and the release index (or indexes, when the name is not known yet). */
  readonly small: readonly string[];
  /** The version's manifest (one per release of that version, when the name is not known). */
  readonly manifests: readonly string[];
  /** Every `.final_builds` YAML file. */
  readonly indexes: readonly string[];
}

/** The tree paths `in` lists: what {@link releaseListing} may pick from. */
export function listedPaths(name: string | undefined): string[] {
  return [
    FINAL_CONFIG_PATH,
    FINAL_BUILDS_DIR,
    name === undefined ? RELEASES_DIR : `${RELEASES_DIR}/${name}`,
  ];
}

/**
 * Sorts a commit's listing into the files of `version`: an unknown release name matches any
 * release directory (the version narrows it to that release's own files all the same).
 */
export function releaseListing(
  paths: Iterable<string>,
  options: { name: string | undefined; version: string },
): ReleaseListing {
  const { name, version } = options;
  const small: string[] = [];
  const manifests: string[] = [];
  const indexes: string[] = [];
  for (const path of paths) {
    if (path === FINAL_CONFIG_PATH) small.push(path);
    else if (path.startsWith(`${FINAL_BUILDS_DIR}/`)) {
      if (isMetadataFile(path)) indexes.push(path);
    } else if (version !== '') {
      const release = releaseOf(path, name);
      if (release === undefined) continue;
      if (path === releaseIndexPath(release)) small.push(path);
      else if (path === releaseManifestPath(release, version)) manifests.push(path);
    }
  }
  return { small, manifests, indexes };
}

function releaseOf(path: string, name: string | undefined): string | undefined {
  const parts = path.split('/');
  if (parts.length !== 3 || parts[0] !== RELEASES_DIR) return undefined;
  return name === undefined || parts[1] === name ? parts[1] : undefined;
}

/**
 * The indexes `in` writes: every one, or those the manifests reference that the commit has (a
 * referenced index it lacks is the integrity check's to report).
 */
export function indexesToFetch(
  listing: ReleaseListing,
  manifests: ReadonlyMap<string, string> | undefined,
): string[] {
  if (manifests === undefined) return [...listing.indexes];
  const present = new Set(listing.indexes);
  const referenced = new Set<string>();
  for (const [path, text] of manifests) {
    for (const index of manifestIndexPaths(text, path))
      if (present.has(index)) referenced.add(index);
  }
  return [...referenced].sort();
}

/** git's id of a blob with this text (`git hash-object`). */
export function gitBlobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
