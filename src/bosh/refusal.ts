import { UserError } from '../errors.js';

/** Why a release was refused, for callers and tests to tell refusals apart. */
export type RefusalReason =
  /** The checkout would commit `config/private.yml`, dev releases or builds, or a tarball. */
  | 'forbidden-path'
  /** The checkout changes something outside `.final_builds/` and `releases/<name>/`. */
  | 'outside-release'
  /** A changed file there is not what a final release writes (e.g. an old manifest edited). */
  | 'unexpected-file'
  | 'no-new-version'
  | 'several-new-versions'
  /** An existing index entry was changed or removed (the CLI only ever adds entries). */
  | 'changed-entry'
  /** The version is already listed (exactly or BOSH-equal, `3` and `3.0`). */
  | 'duplicate-version'
  | 'manifest-exists'
  | 'missing-manifest'
  /** The manifest's name or version is not the one its path and the index say. */
  | 'manifest-mismatch'
  | 'uncommitted-changes'
  /** A job, package or license of the manifest has no `.final_builds` entry. */
  | 'missing-build'
  /** A job, package or license of the manifest has an entry with another digest. */
  | 'digest-mismatch'
  /** A new `.final_builds` entry that the release does not use. */
  | 'unreferenced-build'
  /** The base has the same fingerprint with another digest: two independent builds. */
  | 'digest-conflict'
  /** The base removed or changed an entry the release uses. */
  | 'base-changed-build'
  /** The base uses the release index ID for another version. */
  | 'release-id-conflict'
  | 'version-not-found'
  /** An index entry that is not what the CLI writes for a final build (no blobstore ID...). */
  | 'malformed-entry'
  /** An import finds no final version in the checkout. */
  | 'nothing-to-import'
  /** An import onto a base that already tracks what it would bring. */
  | 'already-tracked';

/** A release that must not be delivered: one line saying what is wrong and what to do. */
export class ReleaseRefusal extends UserError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}
