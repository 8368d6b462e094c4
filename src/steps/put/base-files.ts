import {
  FINAL_CONFIG_PATH,
  isMetadataFile,
  METADATA_DIRS,
  type MetadataFiles,
} from '../../bosh/index.js';
import type { Git, GitRemote } from '../../git/git.js';

/** The base's metadata as a put plans its commit on it. */
export interface BaseMetadata {
  /** The base commit. */
  readonly sha: string;
  /** The files the payload asked for (those the base has), by path. */
  readonly files: MetadataFiles;
  /** Every metadata file at the base commit, fetched or not. */
  readonly paths: ReadonlySet<string>;
}

/**
 * Fetches the base branch's commit into a new repository `dir` (its trees, shallow, without
 * blobs) and, of its metadata files, exactly the blobs `choose` picks from their paths: a put
 * reads the indexes its release touches, not every index the repository ever had. `dir` can then
 * hold the put's commit (its parent's trees are there) and push it.
 */
export async function fetchBase(
  git: Git,
  options: {
    remote: GitRemote;
    ref: string;
    dir: string;
    choose: (paths: readonly string[]) => readonly string[];
  },
): Promise<BaseMetadata> {
  const { remote, dir } = options;
  const sha = await git.fetchCommitTree({ remote, ref: options.ref, dir });
  const listed = await git.listCommitFiles(dir, sha, {
    paths: [FINAL_CONFIG_PATH, ...METADATA_DIRS],
    select: isMetadataFile,
  });
  const paths = [...listed.keys()];
  const wanted = [...new Set(options.choose(paths))].filter((path) => listed.has(path));
  const texts = await git.fetchBlobs({
    remote,
    dir,
    blobs: wanted.map((path) => listed.get(path) ?? ''),
  });
  return {
    sha,
    files: new Map(wanted.map((path, i) => [path, texts[i] ?? ''])),
    paths: new Set(paths),
  };
}
