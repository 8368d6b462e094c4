import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FINAL_BUILDS_DIR,
  FINAL_CONFIG_PATH,
  parseBuildIndex,
  parseBuildIndexPath,
  parseFinalConfig,
  releaseIndexPath,
  releaseManifestPath,
  verifyRelease,
  type TrackedMetadata,
} from '../../bosh/index.js';
import type { GetPutResponse, MetadataField, ResourceVersion } from '../../concourse/contract.js';
import { UserError } from '../../errors.js';
import type { Git, GitRemote } from '../../git/git.js';
import type { GitHub } from '../../github/github.js';
import type { Logger } from '../../io/log.js';
import { refuseTagBase } from '../../history/release-target.js';
import type { GetInput } from '../../concourse/settings.js';
import { writeInside } from '../../io/dest.js';
import { MAX_FILE_BYTES } from '../../io/metadata-dir.js';
import { gitBlobId, indexesToFetch, listedPaths, releaseListing } from './release-files.js';
import { verifiedPull, type Verified } from './verified-pull.js';

interface GetDeps {
  github: GitHub;
  git: Git;
  remote: GitRemote;
  log: Logger;
  /** `in`'s argument: the directory to fill. */
  args: string[];
}

/** Writes the merged release's metadata and the small files docs/get.md lists into DEST. */
export async function get(input: GetInput, deps: GetDeps): Promise<GetPutResponse> {
  const dest = deps.args[0];
  if (dest === undefined)
    throw new UserError('in needs the destination directory as its argument (Concourse passes it)');
  const requested = completeVersion(input.version);
  // The PR is read while git fetches: the fetch needs only the version (and the release name
  // when source has it), and a REST round trip is much of what `in` waits for. git is started
  // first, so that its processes run while the REST client loads.
  const verifying = (named?: (name: string) => void): Promise<Verified | undefined> =>
    both(
      refuseTagBase(deps.github, input.source),
      requested.pr === '' ? undefined : verifiedPull(deps.github, requested, input.source, named),
    ).then(([, verified]) => verified);
  let fetching: Promise<Map<string, string>> | undefined;
  let checking: Promise<Verified | undefined>;
  if (input.params.skipDownload) checking = verifying();
  else {
    // The manifest is read as soon as the release name is known (the first name settles it):
    // from source at once, else from the PR's lock branch once the PR is read; without a PR
    // or when the checks fail, git fetches it.
    let manifest: (name: string | undefined) => void = () => undefined;
    const named = new Promise<string | undefined>((resolve) => (manifest = resolve));
    if (input.source.releaseName !== undefined) manifest(input.source.releaseName);
    fetching = fetchRelease(deps, requested, {
      name: input.source.releaseName,
      all: input.params.allMetadata,
      manifest: named.then((name) =>
        name === undefined ? undefined : manifestThroughRest(deps.github, name, requested),
      ),
    });
    checking = verifying(manifest);
    void checking.then(
      () => manifest(undefined),
      () => manifest(undefined),
    );
  }
  const [merged, tree] = await both(checking, fetching);
  const pull = merged?.pull;
  const knownName = input.source.releaseName ?? merged?.releaseName;
  // What the release PR committed decides what is at its merge commit, even after source.track
  // changed since; a starting version follows source.track.
  const track = merged?.track ?? input.source.track;

  const release =
    tree === undefined
      ? {
          name: knownName ?? (await releaseNameAt(deps.github, requested.ref)),
          files: new Map<string, string>(),
          commitHash: undefined,
        }
      : selectRelease(tree, { requested, knownName, track });

  const small: Record<string, string> = {
    name: release.name,
    version: requested.version,
    tag: requested.version === '' ? '' : `v${requested.version}`,
    ref: requested.ref,
    pr: requested.pr,
    url: pull?.htmlUrl ?? `${input.source.webUrl}/commit/${requested.ref}`,
    // With only .final_builds in git there is no manifest to point at.
    ...(track === 'final_builds'
      ? {}
      : {
          manifest_path:
            requested.version === '' ? '' : releaseManifestPath(release.name, requested.version),
        }),
    ...(release.commitHash === undefined ? {} : { commit_hash: release.commitHash }),
  };
  // Everything was read and checked before the first write: a failure leaves DEST untouched.
  await writeInside(
    dest,
    new Map([
      ...release.files,
      ...Object.entries(small),
      ['metadata.json', `${JSON.stringify(small, null, 2)}\n`],
    ]),
  );
  deps.log.info(
    input.params.skipDownload
      ? `${release.name} ${requested.version}: wrote the small files only (skip_download)`
      : `${release.name} ${requested.version}: wrote ${release.files.size} metadata files at ${requested.ref.slice(0, 7)}${track === 'final_builds' ? ' (.final_builds only: source.track is final_builds)' : ''}`,
  );
  return { version: requested, metadata: metadata(small) };
}

/**
 * Both values, once both settled; a failure of the first (the PR: "not merged", "no such PR") is
 * the one reported, and nothing is left running when either fails.
 */
async function both<A, B>(
  first: Promise<A> | undefined,
  second: Promise<B> | undefined,
): Promise<[A | undefined, B | undefined]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}

/**
 * The version's files, read into memory from a repository in a temporary directory (never DEST:
 * no .git, and so no remote or credential, ends up there) without a work tree: the commit's trees
 * (shallow, blobless), then exactly the blobs of release-files.ts, fetched by id. The manifest's
 * text read through REST while git fetched the trees, when it is the blob at this commit, lets
 * one fetch bring all of them; else the manifest is fetched first.
 */
async function fetchRelease(
  deps: GetDeps,
  requested: ResourceVersion,
  options: {
    name: string | undefined;
    all: boolean;
    manifest: Promise<string | undefined>;
  },
): Promise<Map<string, string>> {
  const { git, remote } = deps;
  const work = await mkdtemp(join(tmpdir(), 'bosh-release-pr-in-'));
  try {
    const sha = await git.fetchCommitTree({ remote, ref: requested.ref, dir: work });
    const blobs = await git.listCommitFiles(work, sha, {
      paths: listedPaths(options.name),
      select: () => true,
    });
    const listing = releaseListing(blobs.keys(), {
      name: options.name,
      version: requested.version,
    });
    const files = new Map<string, string>();
    const fetch = async (paths: readonly string[]): Promise<void> => {
      const texts = await git.fetchBlobs({
        remote,
        dir: work,
        blobs: paths.map((path) => blobs.get(path) ?? ''),
      });
      paths.forEach((path, i) => {
        const text = texts[i] ?? '';
        const size = Buffer.byteLength(text);
        if (size > MAX_FILE_BYTES)
          throw new UserError(`${path} is ${size} bytes: too large for release metadata`);
        files.set(path, text);
      });
    };
    if (requested.version === '') {
      await fetch(listing.small);
    } else if (options.all || listing.manifests.length === 0) {
      await fetch([...listing.small, ...listing.manifests, ...listing.indexes]);
    } else {
      const [only] = listing.manifests;
      const known = listing.manifests.length === 1 ? await options.manifest : undefined;
      if (only !== undefined && known !== undefined && gitBlobId(known) === blobs.get(only)) {
        files.set(only, known);
      } else {
        await fetch(listing.manifests);
      }
      const manifests = new Map(listing.manifests.map((path) => [path, files.get(path) ?? '']));
      await fetch([...listing.small, ...indexesToFetch(listing, manifests)]);
    }
    return files;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// The manifest at the version's commit through the contents API, or undefined when that fails
// for any reason (git fetches it then).
async function manifestThroughRest(
  github: GitHub,
  name: string,
  requested: ResourceVersion,
): Promise<string | undefined> {
  try {
    const answer = await github.getFileConditional(
      releaseManifestPath(name, requested.version),
      requested.ref,
      undefined,
    );
    return answer.modified ? answer.value : undefined;
  } catch {
    return undefined;
  }
}

/** The files `in` writes, from the tree at the version's commit, checked. */
function selectRelease(
  tree: ReadonlyMap<string, string>,
  options: { requested: ResourceVersion; knownName: string | undefined; track: TrackedMetadata },
): { name: string; files: Map<string, string>; commitHash: string | undefined } {
  const { requested, knownName } = options;
  const finalConfig = tree.get(FINAL_CONFIG_PATH);
  if (finalConfig === undefined) {
    throw new UserError(
      `${FINAL_CONFIG_PATH} is missing at ${requested.ref}: the commit is not a BOSH release repository`,
    );
  }
  const name =
    knownName ?? parseFinalConfig(finalConfig, `${FINAL_CONFIG_PATH} at ${requested.ref}`).name;
  const files = new Map([[FINAL_CONFIG_PATH, finalConfig]]);
  if (requested.version === '') return { name, files, commitHash: undefined };
  if (options.track === 'final_builds') {
    // No manifest says which builds the release needs: check at least that each index reads.
    for (const [path, content] of tree) {
      if (!path.startsWith(`${FINAL_BUILDS_DIR}/`)) continue;
      if (parseBuildIndexPath(path) !== undefined) parseBuildIndex(content, path);
      files.set(path, content);
    }
    return { name, files, commitHash: undefined };
  }

  const release = verifyRelease(tree, { releaseName: name, version: requested.version });
  for (const [path, content] of tree)
    if (path.startsWith(`${FINAL_BUILDS_DIR}/`)) files.set(path, content);
  for (const path of [releaseIndexPath(name), release.manifestPath])
    files.set(path, tree.get(path) ?? '');
  return { name, files, commitHash: release.manifest.commitHash };
}

async function releaseNameAt(github: GitHub, ref: string): Promise<string> {
  const answer = await github.getFileConditional(FINAL_CONFIG_PATH, ref, undefined);
  if (!answer.modified || answer.value === undefined) {
    throw new UserError(`${FINAL_CONFIG_PATH} is missing at ${ref}: set source.release_name`);
  }
  return parseFinalConfig(answer.value, `${FINAL_CONFIG_PATH} at ${ref}`).name;
}

function completeVersion(version: Partial<ResourceVersion>): ResourceVersion {
  const { version: release, pr, ref } = version;
  if (
    release === undefined ||
    pr === undefined ||
    ref === undefined ||
    !/^[0-9a-f]{40}$/.test(ref)
  ) {
    throw new UserError(
      `version ${JSON.stringify(version)} is not one this resource reports: it needs version, pr and a 40-hex ref (pin with fly pin-resource --version version:<v>)`,
    );
  }
  if (pr !== '' && !/^[1-9][0-9]*$/.test(pr)) {
    throw new UserError(`version.pr must be a PR number or empty, got ${JSON.stringify(pr)}`);
  }
  return { version: release, pr, ref };
}

function metadata(small: Record<string, string>): MetadataField[] {
  return ['name', 'version', 'pr', 'url', 'ref', 'commit_hash']
    .filter((name) => small[name] !== undefined && small[name] !== '')
    .map((name) => ({ name, value: small[name] ?? '' }));
}
