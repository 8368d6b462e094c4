import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { detectRelease, releaseIndexPath, RELEASES_DIR } from '../../bosh/index.js';
import { UserError } from '../../errors.js';
import type { GitRemote } from '../../git/git.js';
import { METADATA_SPARSE_PATTERNS, readMetadataDir } from '../../io/metadata-dir.js';
import type { ReleaseTarget } from '../../rules/lock-state.js';
import type { ReleaseTrailers } from '../../rules/release-commit.js';
import { payloadOfRelease, type Payload, type PayloadOptions } from './payload.js';

// A refresh reads the release from the repository, never from the PR's text: the release commit
// on the lock branch is the release — its trailers, and the files it changed against its parent
// (docs/lock.md, "Refreshing the release PR").

/** The resource-made commit on the lock branch that a refresh re-plans. */
interface ReleaseCommit {
  sha: string;
  parent: string;
  trailers: ReleaseTrailers;
}

/**
 * The payload of the release commit on the lock branch, read the way a put reads a checkout:
 * its parent's metadata is what the release was cut onto, the commit's is the checkout's.
 */
export async function payloadOfCommit(
  commit: ReleaseCommit,
  context: Omit<PayloadOptions, 'checkout'> & {
    remote: GitRemote;
    work: string;
    target: ReleaseTarget;
    pull: number;
  },
): Promise<Payload> {
  const { git, target } = context;
  // Both commits fetched whole (sparse, blobless): a blob read later would fetch without credentials.
  const [files, parentFiles] = await Promise.all(
    [commit.sha, commit.parent].map(async (ref) => {
      const dir = await mkdtemp(join(context.work, 'release-'));
      await git.fetchCommit({ remote: context.remote, ref, dir, sparse: METADATA_SPARSE_PATTERNS });
      return readMetadataDir(dir);
    }),
  );
  if (files === undefined || parentFiles === undefined) throw new Error('unreachable');
  const changedPaths = [...new Set([...files.keys(), ...parentFiles.keys()])]
    .filter((path) => files.get(path) !== parentFiles.get(path))
    .sort();
  const name = target.releaseName;
  const manifests = changedPaths.filter(
    (path) => path.startsWith(`${RELEASES_DIR}/${name}/`) && path !== releaseIndexPath(name),
  );
  if (!parentFiles.has(releaseIndexPath(name)) || manifests.length > 1) {
    throw new UserError(
      `PR #${context.pull} from ${target.lockBranch} is an import (${manifests.length} releases at once): a refresh re-plans one release; merge the import as it is, or close it and put params.import: true again on the current ${target.base}`,
    );
  }
  let release;
  try {
    release = detectRelease({
      base: parentFiles,
      checkout: files,
      releaseName: name,
      changedPaths,
      // The put that made the commit judged the working tree already.
      allowUncommitted: true,
      track: 'both',
    });
  } catch (error) {
    throw new UserError(
      `the release commit ${commit.sha.slice(0, 7)} on ${target.lockBranch} (PR #${context.pull}) is not one release this resource can re-plan: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return payloadOfRelease(
    {
      name,
      version: release.version,
      release,
      sourceSha: commit.trailers.source ?? commit.sha,
      files,
    },
    { ...context, checkout: '' },
  );
}
