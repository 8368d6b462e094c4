import { boshVersionsEqual, parseBoshVersion } from './bosh-version.js';
import { buildEntriesEqual, buildIndexReader, parseBuildIndex } from './build-index.js';
import { compareBytewise } from './canonical-yaml.js';
import {
  FINAL_BUILDS_DIR,
  parseBuildIndexPath,
  PRIVATE_CONFIG_PATH,
  releaseIndexPath,
  RELEASES_DIR,
  type MetadataFiles,
} from './metadata-files.js';
import { ReleaseRefusal } from './refusal.js';
import { parseReleaseIndex, type ReleaseIndex } from './release-index.js';
import {
  describeReference,
  manifestBuildReferences,
  type ReleaseManifest,
} from './release-manifest.js';
import type { NewBuild } from './release.js';

// What one `bosh create-release --final` may change against the metadata it was cut from, each
// rule a check that refuses with a ReleaseRefusal (docs/bosh-metadata.md, "What one final
// release changes"). release.ts runs them in order.

const TARBALL = /\.(tgz|tar\.gz)$/;

/** Refuses a change outside .final_builds/ and releases/<name>/, and what must never be committed. */
export function checkChangedPaths(paths: readonly string[], releaseName: string): void {
  const releaseDir = `${RELEASES_DIR}/${releaseName}/`;
  for (const raw of paths) {
    const path = raw.replace(/^\.\//, '');
    if (path === PRIVATE_CONFIG_PATH) {
      throw new ReleaseRefusal(
        'forbidden-path',
        `the checkout contains ${PRIVATE_CONFIG_PATH} (blobstore credentials), which must never be committed: remove it or add it to .gitignore`,
      );
    }
    const top = path.split('/')[0];
    if (top === 'dev_releases' || top === '.dev_builds') {
      throw new ReleaseRefusal(
        'forbidden-path',
        `the checkout changes ${path}: dev releases and dev builds are never committed; add ${top} to .gitignore`,
      );
    }
    if (TARBALL.test(path)) {
      throw new ReleaseRefusal(
        'forbidden-path',
        `the checkout contains the tarball ${path}, which must not be committed: delete it or add it to .gitignore`,
      );
    }
    if (!path.startsWith(`${FINAL_BUILDS_DIR}/`) && !path.startsWith(releaseDir)) {
      throw new ReleaseRefusal(
        'outside-release',
        `the checkout changes ${path}, but a release PR carries only ${FINAL_BUILDS_DIR}/ and ${releaseDir}: merge that change through a normal PR first, then cut the release from it`,
      );
    }
  }
}

/** The one entry a cut adds to the release index; refuses a changed, removed or duplicate one. */
export function newReleaseIndexEntry(
  base: MetadataFiles,
  checkout: MetadataFiles,
  releaseName: string,
): { id: string; version: string } {
  const path = releaseIndexPath(releaseName);
  const checkoutText = checkout.get(path);
  if (checkoutText === undefined) {
    throw new ReleaseRefusal(
      'no-new-version',
      `${path} is missing in the checkout: run bosh create-release --final before the put`,
    );
  }
  const baseText = base.get(path);
  const before: ReleaseIndex =
    baseText === undefined ? { builds: new Map() } : parseReleaseIndex(baseText, path);
  const after = parseReleaseIndex(checkoutText, path);
  for (const [id, version] of before.builds) {
    const now = after.builds.get(id);
    if (now !== version) {
      throw new ReleaseRefusal(
        'changed-entry',
        `${path} ${now === undefined ? 'no longer lists' : `changes to ${now}`} version ${version} (ID ${id}): the CLI only adds versions; restore the file and cut the release again`,
      );
    }
  }
  const added = [...after.builds].filter(([id]) => !before.builds.has(id));
  const [first] = added;
  if (first === undefined) {
    throw new ReleaseRefusal(
      'no-new-version',
      `${path} lists no new version: run bosh create-release --final before the put`,
    );
  }
  if (added.length > 1) {
    throw new ReleaseRefusal(
      'several-new-versions',
      `${path} lists ${added.length} new versions (${added.map(([, v]) => v).join(', ')}): a put delivers exactly one release; cut one release per put`,
    );
  }
  const [id, version] = first;
  const parsed = parseBoshVersion(version, path);
  for (const existing of before.builds.values()) {
    if (boshVersionsEqual(parseBoshVersion(existing, path), parsed)) {
      throw new ReleaseRefusal(
        'duplicate-version',
        `${path} already listed version ${existing} before the cut, and the new version ${version} equals it: cut the release again with a new version`,
      );
    }
  }
  return { id, version };
}

/** Refuses any other change under releases/: old manifests are never rewritten. */
export function checkReleaseFiles(
  base: MetadataFiles,
  checkout: MetadataFiles,
  releaseName: string,
  expected: readonly string[],
): void {
  for (const path of unionOfPaths(base, checkout)) {
    if (!path.startsWith(`${RELEASES_DIR}/`) || expected.includes(path)) continue;
    // Tarballs are refused only when they would be committed (checkChangedPaths).
    if (TARBALL.test(path)) continue;
    if (base.get(path) === checkout.get(path)) continue;
    if (!path.startsWith(`${RELEASES_DIR}/${releaseName}/`)) {
      throw new ReleaseRefusal(
        'outside-release',
        `the checkout changes ${path}, which belongs to another release than ${releaseName}: restore it`,
      );
    }
    throw new ReleaseRefusal(
      'unexpected-file',
      `the checkout ${checkout.has(path) ? (base.has(path) ? 'changes' : 'adds') : 'deletes'} ${path}, which a final release never does: restore it and cut the release again`,
    );
  }
}

/** The `.final_builds` entries a cut adds; refuses a changed or removed one. */
export function newFinalBuilds(base: MetadataFiles, checkout: MetadataFiles): NewBuild[] {
  const builds: NewBuild[] = [];
  for (const path of unionOfPaths(base, checkout)) {
    if (!path.startsWith(`${FINAL_BUILDS_DIR}/`) || TARBALL.test(path)) continue;
    const baseText = base.get(path);
    const checkoutText = checkout.get(path);
    if (baseText === checkoutText) continue;
    const location = parseBuildIndexPath(path);
    if (location === undefined) {
      throw new ReleaseRefusal(
        'unexpected-file',
        `the checkout changes ${path}, which is not a ${FINAL_BUILDS_DIR} index: restore or delete it`,
      );
    }
    if (checkoutText === undefined) {
      throw new ReleaseRefusal(
        'changed-entry',
        `the checkout deletes ${path}: the CLI never removes builds; restore it`,
      );
    }
    const before = baseText === undefined ? new Map() : parseBuildIndex(baseText, path).builds;
    const after = parseBuildIndex(checkoutText, path).builds;
    for (const [fingerprint, entry] of before) {
      const now = after.get(fingerprint);
      if (now === undefined || !buildEntriesEqual(now, entry)) {
        throw new ReleaseRefusal(
          'changed-entry',
          `${path} ${now === undefined ? 'no longer has' : 'changes'} the existing build ${fingerprint}: the CLI never changes or removes builds; restore the entry`,
        );
      }
    }
    for (const [fingerprint, entry] of after) {
      if (!before.has(fingerprint)) {
        builds.push({ indexPath: path, ...location, fingerprint, entry });
      }
    }
  }
  return builds.sort(
    (a, b) =>
      compareBytewise(a.indexPath, b.indexPath) || compareBytewise(a.fingerprint, b.fingerprint),
  );
}

/** Refuses a manifest whose builds the indexes lack, and a new build the manifest does not use. */
export function checkManifestBuilds(
  manifest: ReleaseManifest,
  manifestPath: string,
  checkout: MetadataFiles,
  newBuilds: readonly NewBuild[],
): void {
  const readIndex = buildIndexReader(checkout);
  const used = new Set<string>();
  for (const reference of manifestBuildReferences(manifest)) {
    const what = describeReference(reference);
    const entry = readIndex(reference.indexPath).builds.get(reference.fingerprint);
    if (entry === undefined) {
      throw new ReleaseRefusal(
        'missing-build',
        `${manifestPath} uses ${what}, but ${reference.indexPath} has no entry for it: re-run bosh create-release --final and keep ${FINAL_BUILDS_DIR}`,
      );
    }
    if (entry.sha1 !== reference.sha1) {
      throw new ReleaseRefusal(
        'digest-mismatch',
        `${manifestPath} uses ${what} with digest ${reference.sha1}, but ${reference.indexPath} records ${entry.sha1}: the metadata is inconsistent; cut the release again`,
      );
    }
    used.add(`${reference.indexPath}\0${reference.fingerprint}`);
  }
  for (const build of newBuilds) {
    if (!used.has(`${build.indexPath}\0${build.fingerprint}`)) {
      throw new ReleaseRefusal(
        'unreferenced-build',
        `${build.indexPath} gains build ${build.fingerprint}, which ${manifestPath} does not use: commit it separately (as bosh vendor-package does) or remove it`,
      );
    }
  }
}

function unionOfPaths(a: MetadataFiles, b: MetadataFiles): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort(compareBytewise);
}
