import { describeLowerPut, higherVersion } from '../../rules/backport.js';
import {
  applyImport,
  FINAL_CONFIG_PATH,
  manifestBuildReferences,
  parseReleaseIndex,
  readFinalConfig,
  readImport,
  readReleaseIndex,
  ReleaseRefusal,
  releaseIndexPath,
  sameBoshVersion,
  type MetadataFiles,
  type MetadataImport,
} from '../../bosh/index.js';
import type { EtagCache } from '../../io/etag-cache.js';
import { readMetadataDir } from '../../io/metadata-dir.js';
import { UserError } from '../../errors.js';
import type { Git } from '../../git/git.js';
import type { GitHub } from '../../github/github.js';
import type { Logger } from '../../io/log.js';
import type { ImportSummary, PullContent } from '../../rules/pull-body.js';
import { readMergedReleases } from '../../history/merged-releases.js';
import type { MergedRelease } from '../../rules/versions.js';
import type { ReleaseTarget } from '../../rules/lock-state.js';
import {
  detectCheckoutRelease,
  rebaseOnto,
  refuseUnimported,
  summarize,
  type DetectedRelease,
} from './cut.js';
import type { BaseMetadata } from './base-files.js';
import { verifySourceOnRemote } from './source-commit.js';
import type { PutSettings, SourceSettings } from '../../concourse/settings.js';

/** What a put delivers under the lock: the checkout's new release, or every release so far. */
export interface Payload {
  readonly kind: 'release' | 'import';
  readonly name: string;
  /** The release's version; for an import, the highest imported version. */
  readonly version: string;
  /** The lock key: the release's key, or the import's (a hash of the imported files). */
  readonly key: string;
  /** Full sha of the checkout's commit the payload comes from. */
  readonly source: string;
  /** For log lines: `example 3`, or `example import of versions 1 to 2`. */
  readonly label: string;
  /** The PR's content without a base (for a lock commit pushed by a put that crashed before its PR). */
  readonly content: PullContent;
  /** Refuses, before the lock is touched, a payload whose source GitHub does not have. */
  verify(target: ReleaseTarget): Promise<void>;
  /**
   * Which of the base's metadata files `planCommit` reads, from their paths: a release's own
   * (config/final.yml, its release index and manifest, the indexes its manifest references),
   * every one for an import.
   */
  basePaths(paths: readonly string[]): string[];
  /** The commit's files on the base as it is now, and the PR's content; refuses what is unsafe. */
  planCommit(base: BaseMetadata, target: ReleaseTarget): Promise<PlannedCommit>;
  /**
   * What check will do with the release once merged when it is lower than the highest release
   * its base has now (backport.ts), read from GitHub; undefined when it is higher.
   */
  backport(target: ReleaseTarget): Promise<string | undefined>;
}

/** The PR commit planned on the base. */
export interface PlannedCommit {
  /** Empty when the base has every file already (`.final_builds`-only: no new build). */
  readonly files: ReadonlyMap<string, string>;
  readonly content: PullContent;
}

/** What a payload is read from. */
export interface PayloadOptions {
  checkout: string;
  git: Git;
  github: GitHub;
  log: Logger;
  source: SourceSettings;
  /** What the put remembers while it runs (the facts of merged release PRs). */
  cache: EtagCache;
}

/** The checkout's one new final release (`bosh create-release --final` just ran). */
export async function releasePayload(
  options: PayloadOptions,
  params: Pick<PutSettings, 'allowUncommittedChanges'>,
): Promise<Payload> {
  const { source } = options;
  const detected = await detectCheckoutRelease({
    checkout: options.checkout,
    git: options.git,
    releaseName: source.releaseName,
    track: source.track,
    allowUncommitted: params.allowUncommittedChanges,
  });
  if (detected.release.manifest.uncommittedChanges) {
    options.log.warn(
      `${detected.name} ${detected.version} was cut from a dirty working tree (uncommitted_changes: true); params.allow_uncommitted_changes accepts it, and the PR says so`,
    );
  }
  return payloadOfRelease(detected, options);
}

/**
 * The payload of a release already detected: from a checkout (a put), or from the release commit
 * on the lock branch (a refresh, refresh-payload.ts).
 */
export function payloadOfRelease(detected: DetectedRelease, options: PayloadOptions): Payload {
  const { source } = options;
  const label = `${detected.name} ${detected.version}`;
  const note = (target: ReleaseTarget, versions: Iterable<string>): string | undefined => {
    const higher = higherVersion(detected.version, versions);
    return higher === undefined
      ? undefined
      : describeLowerPut({
          target,
          version: detected.version,
          higher,
          reportLowerVersions: source.reportLowerVersions,
        });
  };
  return {
    kind: 'release',
    name: detected.name,
    version: detected.version,
    key: detected.release.releaseKey,
    source: detected.sourceSha,
    label,
    content: { kind: 'release', release: summarize(detected) },
    verify: (target) =>
      verifySourceOnRemote({
        github: options.github,
        git: options.git,
        log: options.log,
        checkout: options.checkout,
        sha: detected.sourceSha,
        base: target.base,
        label,
      }),
    basePaths: () => releaseBasePaths(detected),
    async planCommit(base, target) {
      const baseFiles = base.files;
      // releases/ is not on the base: the versions of merged release PRs are the record.
      const delivered =
        source.track === 'final_builds' ? await history(options, target) : undefined;
      if (delivered !== undefined) {
        const by = delivered.find((merged) => sameBoshVersion(merged.version, detected.version));
        if (by !== undefined) throw duplicateVersion(detected.version, target, by);
      }
      refuseUnimported({
        tracked: base.paths,
        where: target.base,
        files: detected.files,
        name: detected.name,
        track: source.track,
      });
      const plan = await rebaseNamingThePull(detected, baseFiles, { options, target });
      const backport = note(
        target,
        delivered?.map((merged) => merged.version) ??
          readReleaseIndex(baseFiles, detected.name).builds.values(),
      );
      return {
        files: plan.files,
        content: { kind: 'release', release: { ...plan.summary, backport } },
      };
    },
    async backport(target) {
      if (source.track === 'final_builds') {
        const delivered = await history(options, target);
        return note(
          target,
          delivered.map((merged) => merged.version),
        );
      }
      const path = releaseIndexPath(detected.name);
      const answer = await options.github.getFileConditional(path, target.base, undefined);
      if (!answer.modified || answer.value === undefined) return undefined;
      const index = parseReleaseIndex(answer.value, `${path} on ${target.base}`);
      return note(target, index.builds.values());
    },
  };
}

/** Every final release so far, from a checkout the metadata was synced into (`params.import`). */
export async function importPayload(options: PayloadOptions): Promise<Payload> {
  const { checkout, source } = options;
  const files = await readMetadataDir(checkout);
  const name = source.releaseName ?? readFinalConfig(files).name;
  const head = await options.git.resolveCommit(checkout, 'HEAD');
  if (head === undefined)
    throw new UserError(`${checkout} has no commit: give the checkout of the release repository`);
  const imported = readImport(files, { releaseName: name, track: source.track });
  const first = imported.versions[0] ?? imported.version;
  const count = imported.versions.length;
  if (imported.rewritten.length > 0) {
    options.log.info(
      `rewriting ${imported.rewritten.length} index files in the bosh CLI's canonical format (same entries): ${imported.rewritten.join(', ')}`,
    );
  }
  return {
    kind: 'import',
    name,
    version: imported.version,
    key: imported.key,
    source: head,
    label: `${name} import of ${count === 1 ? `version ${first}` : `versions ${first} to ${imported.version}`}${source.track === 'final_builds' ? ', .final_builds only' : ''}`,
    content: { kind: 'import', imported: importSummary(imported, head, 0) },
    // An import brings metadata that is already in use, whatever commit it was synced into.
    verify: async () => undefined,
    backport: async () => undefined,
    basePaths: (paths) => [...paths],
    async planCommit(base, target) {
      const baseFiles = base.files;
      const delivered = (await history(options, target)).map((merged) => ({
        version: merged.version,
        by: `PR #${merged.number} (${merged.url})`,
      }));
      const applied = applyImport(imported, baseFiles, { delivered });
      return {
        files: applied.files,
        content: { kind: 'import', imported: importSummary(imported, head, applied.keptBuilds) },
      };
    },
  };
}

// What a release's rebase and refusals read on the base (bosh/rebase.ts): the release index (a
// version already there), the manifest's path (a manifest already there), and each index the
// manifest references (a build the base lost, a digest clash); the others stay unread.
function releaseBasePaths(detected: DetectedRelease): string[] {
  const { release } = detected;
  return [
    FINAL_CONFIG_PATH,
    releaseIndexPath(release.name),
    release.manifestPath,
    ...manifestBuildReferences(release.manifest).map((reference) => reference.indexPath),
  ];
}

function importSummary(
  imported: MetadataImport,
  source: string,
  keptBuilds: number,
): ImportSummary {
  return {
    name: imported.name,
    version: imported.version,
    key: imported.key,
    source,
    versions: imported.versions,
    indexes: imported.indexes,
    keptBuilds,
    rewritten: imported.rewritten,
  };
}

function history(options: PayloadOptions, target: ReleaseTarget): Promise<MergedRelease[]> {
  return readMergedReleases({
    github: options.github,
    cache: options.cache,
    log: options.log,
    target,
    apiUrl: options.source.apiUrl,
    reportLowerVersions: options.source.reportLowerVersions,
    track: options.source.track,
  });
}

// A duplicate version is the refusal users meet most: name the base and the PR that released it.
async function rebaseNamingThePull(
  detected: DetectedRelease,
  baseFiles: MetadataFiles,
  context: { options: PayloadOptions; target: ReleaseTarget },
): Promise<ReturnType<typeof rebaseOnto>> {
  const { options, target } = context;
  try {
    return rebaseOnto(detected, baseFiles, { track: options.source.track });
  } catch (error) {
    if (!(error instanceof ReleaseRefusal) || error.reason !== 'duplicate-version') throw error;
    const by = (await history(options, target)).find(
      (merged) => merged.version === detected.version,
    );
    throw duplicateVersion(detected.version, target, by);
  }
}

function duplicateVersion(
  version: string,
  target: ReleaseTarget,
  by: MergedRelease | undefined,
): ReleaseRefusal {
  const pull = by === undefined ? '' : ` (PR #${by.number} ${by.url})`;
  return new ReleaseRefusal(
    'duplicate-version',
    `version ${version} is already on ${target.base}${pull}: re-run bosh create-release --final on the current ${target.base}`,
  );
}
