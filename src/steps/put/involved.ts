// What a put reads of the checkout it was given: the metadata its release involves, on both
// sides of the cut (cut.ts, docs/cuts.md "What is read").
import {
  FINAL_CONFIG_PATH,
  isMetadataFile,
  manifestIndexPaths,
  METADATA_DIRS,
  readReleaseIndex,
  releaseIndexPath,
  releaseManifestPath,
  type MetadataFiles,
} from '../../bosh/index.js';
import type { Git } from '../../git/git.js';
import { readMetadataFiles } from '../../io/metadata-dir.js';

/** The metadata a release involves, on both sides of its cut. */
interface Involved {
  /** At the commit the release was written onto. */
  base: MetadataFiles;
  /** In the checkout's work tree. */
  files: MetadataFiles;
  /** Every metadata file at that commit, read or not. */
  tracked: ReadonlySet<string>;
}

// The rules of a cut (bosh/release-changes.ts) compare the checkout's metadata with the commit
// the release was written onto, file by file, and parse only the files that differ. git names
// those without reading them: `git diff <onto>` against the work tree and every untracked file,
// ignored ones too (bosh writes whatever .gitignore says, and a file the put commits must be
// judged). Both sides are read for exactly those, config/final.yml, the release index, the
// manifests of the versions the index adds and the indexes they reference; every other file is
// the same on both sides, so leaving it out changes no verdict, and the cost of a put follows
// the release, not the repository's whole metadata. Only paths git named are read.
export async function involvedMetadata(options: {
  checkout: string;
  git: Git;
  onto: string;
  name: string;
}): Promise<Involved> {
  const { checkout, git, onto, name } = options;
  const where = { paths: [FINAL_CONFIG_PATH, ...METADATA_DIRS], select: isMetadataFile };
  const [listing, changed] = await Promise.all([
    git.listCommitFiles(checkout, onto, where),
    git.changedPaths(checkout, onto, { paths: where.paths, ignored: true }),
  ]);
  const differing = new Set(changed.filter(isMetadataFile));
  const base = new Map<string, string>();
  const files = new Map<string, string>();
  const seen = new Set<string>();
  const read = async (paths: readonly string[]): Promise<void> => {
    const fresh = [...new Set(paths)].filter(
      (path) => !seen.has(path) && (listing.has(path) || differing.has(path)),
    );
    fresh.forEach((path) => seen.add(path));
    const atOnto = fresh.filter((path) => listing.has(path));
    const [before, after] = await Promise.all([
      atOnto.length === 0
        ? new Map<string, string>()
        : git.readCommitFiles(checkout, onto, { paths: atOnto, select: () => true }),
      readMetadataFiles(
        checkout,
        fresh.filter((path) => differing.has(path)),
      ),
    ]);
    for (const path of fresh) {
      const text = before.get(path);
      if (text !== undefined) base.set(path, text);
      // A file git finds unchanged is the commit's text in the work tree too.
      const now = differing.has(path) ? after.get(path) : text;
      if (now !== undefined) files.set(path, now);
    }
  };
  await read([...differing, FINAL_CONFIG_PATH, releaseIndexPath(name)]);
  const manifests = addedVersions(base, files, name).map((version) =>
    releaseManifestPath(name, version),
  );
  await read(manifests);
  await read(manifests.flatMap((path) => referencedIndexes(files.get(path), path)));
  return { base, files, tracked: new Set(listing.keys()) };
}

// The versions the checkout's release index lists that the base's does not (the same ID and
// version); a file that does not read lists none here, and detectRelease says why.
function addedVersions(base: MetadataFiles, files: MetadataFiles, name: string): string[] {
  try {
    const before = readReleaseIndex(base, name).builds;
    return [...readReleaseIndex(files, name).builds]
      .filter(([id, version]) => before.get(id) !== version)
      .map(([, version]) => version);
  } catch {
    return [];
  }
}

function referencedIndexes(text: string | undefined, path: string): string[] {
  try {
    return text === undefined ? [] : manifestIndexPaths(text, path);
  } catch {
    return [];
  }
}
