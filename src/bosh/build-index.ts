import { yamlMapping, type YamlMapping, type YamlValue } from './canonical-yaml.js';
import type { MetadataFiles } from './metadata-files.js';
import { readIndexFile, tryReadCanonicalIndexFile, writeIndexFile } from './index-file.js';

// `.final_builds/{jobs,packages}/<name>/index.yml` and `.final_builds/license/index.yml`
// (bosh-cli releasedir/index/fs_index.go): key = fingerprint, entry = {version: fingerprint,
// blobstore_id, sha1}. Fingerprints are 40 or 64 hex; `sha1` is a bare sha1, `sha256:<hex>`
// or a multi-digest `a;b`. All are opaque strings here; blobstore IDs are random and are
// never validated as UUIDs.

/** One build of a job, package or license. */
export interface BuildEntry {
  /** The fingerprint again (the CLI writes it as `version`). */
  readonly version: string;
  /** Absent in indexes of dev builds; the CLI omits it when empty. */
  readonly blobstoreId?: string;
  /** The digest of the build's tarball: `sha256:<hex>`, bare sha1, or `a;b`. */
  readonly sha1: string;
}

/** A `.final_builds` index: builds by fingerprint, in file order. */
export interface BuildIndex {
  readonly builds: ReadonlyMap<string, BuildEntry>;
}

const FIELDS = ['version', 'blobstore_id', 'sha1'] as const;
const OPTIONAL_FIELDS = new Set(['blobstore_id']);

// A put reads most indexes more than once with the same text: the checkout's in detection and
// in the manifest's check, the base's at the cut and on the base branch (unless it moved). Big
// texts are parsed once; the cache forgets everything past a bound.
const PARSED_MIN_CHARS = 64 * 1024;
const PARSED_MAX_CHARS = 512 * 1024 * 1024;
const parsed = new Map<string, BuildIndex>();
let parsedChars = 0;

/** Reads a `.final_builds` index; a malformed or truncated file is a UserError naming it. */
export function parseBuildIndex(text: string, path: string): BuildIndex {
  if (text.length < PARSED_MIN_CHARS) return parseText(text, path);
  let index = parsed.get(text);
  if (index === undefined) {
    index = parseText(text, path);
    if (parsedChars + text.length > PARSED_MAX_CHARS) {
      parsed.clear();
      parsedChars = 0;
    }
    parsed.set(text, index);
    parsedChars += text.length;
  }
  return index;
}

function parseText(text: string, path: string): BuildIndex {
  const fast = tryReadCanonicalIndexFile(text, FIELDS, OPTIONAL_FIELDS);
  if (fast !== undefined) {
    const builds = new Map<string, BuildEntry>();
    for (const [key, [version, blobstoreId, sha1]] of fast) {
      // Empty required fields: the YAML reader names the problem.
      if (!version || !sha1) return parseSlowly(text, path);
      builds.set(key, blobstoreId ? { version, blobstoreId, sha1 } : { version, sha1 });
    }
    return { builds };
  }
  return parseSlowly(text, path);
}

function parseSlowly(text: string, path: string): BuildIndex {
  const builds = new Map<string, BuildEntry>();
  for (const { key, fields } of readIndexFile(text, path)) {
    const version = fields.string('version');
    const sha1 = fields.string('sha1');
    const blobstoreId = fields.optionalString('blobstore_id');
    if (blobstoreId === undefined || blobstoreId === '') builds.set(key, { version, sha1 });
    else builds.set(key, { version, blobstoreId, sha1 });
  }
  return { builds };
}

/** Writes a `.final_builds` index byte-identical to the bosh CLI. */
export function writeBuildIndex(index: BuildIndex): string {
  return writeIndexFile(
    [...index.builds].map(([key, entry]): [string, YamlMapping] => [key, entryMapping(entry)]),
  );
}

function entryMapping(entry: BuildEntry): YamlMapping {
  const pairs: Array<[string, YamlValue]> = [['version', entry.version]];
  if (entry.blobstoreId !== undefined && entry.blobstoreId !== '') {
    pairs.push(['blobstore_id', entry.blobstoreId]);
  }
  pairs.push(['sha1', entry.sha1]);
  return yamlMapping(pairs);
}

/** Whether two entries are the same build with the same digest and blob. */
export function buildEntriesEqual(a: BuildEntry, b: BuildEntry): boolean {
  return a.version === b.version && a.sha1 === b.sha1 && a.blobstoreId === b.blobstoreId;
}

/** Reads build indexes from a set of files on demand, once each; an absent index is empty. */
export function buildIndexReader(files: MetadataFiles): (path: string) => BuildIndex {
  const cache = new Map<string, BuildIndex>();
  return (path) => {
    let index = cache.get(path);
    if (index === undefined) {
      const text = files.get(path);
      index = text === undefined ? { builds: new Map() } : parseBuildIndex(text, path);
      cache.set(path, index);
    }
    return index;
  };
}
