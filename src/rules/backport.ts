// A release lower than one its base already has — a backport such as 3.0.1 merged after 4 — is not
// reported by check as a new version unless `source.report_lower_versions` (docs/versions.md): as
// the newest version it would trigger every `get … trigger: true`, and a deploy would go back from
// 4 to 3.0.1. What check and put say about such a release, in one place.
import { compareVersionTexts } from '../bosh/index.js';
import type { ReleaseTarget } from './lock-state.js';

/** The highest of `versions` when `version` is not higher than it (a backport); else undefined. */
export function higherVersion(version: string, versions: Iterable<string>): string | undefined {
  let highest: string | undefined;
  for (const other of versions) {
    if (highest === undefined || compareVersionTexts(other, highest) > 0) highest = other;
  }
  return highest !== undefined && compareVersionTexts(version, highest) <= 0 ? highest : undefined;
}

/** How to deploy a release that check does not report, for the lines below. */
function howToDeploy(version: string): string {
  return `to deploy it, pin it (version: {version: "${version}"} on the resource; or fly check-resource --from version:${version}, then fly pin-resource), or release backports to their release branch through a second resource with base_branch there; source.report_lower_versions: true reports every merged release in merge order`;
}

/** check's line about a merged release it does not report. */
export function describeSkipped(
  release: { number: number; url: string; version: string; lowerThan: string },
  target: ReleaseTarget,
): string {
  return `PR #${release.number} (${release.url}) merged ${target.releaseName} ${release.version} into ${target.base}, which had ${release.lowerThan} already: not reported as a new version, so that no get with trigger: true deploys it over ${release.lowerThan}; ${howToDeploy(release.version)}`;
}

/** What a put of a release lower than its base's highest says, in its log, metadata and PR. */
export function describeLowerPut(options: {
  target: ReleaseTarget;
  version: string;
  higher: string;
  reportLowerVersions: boolean;
}): string {
  const { target, version, higher } = options;
  const lower = `${target.releaseName} ${version} is lower than ${higher}, which ${target.base} already has`;
  return options.reportLowerVersions
    ? `${lower}: once merged, check reports it as the newest version (source.report_lower_versions: true), and every get with trigger: true deploys it over ${higher}`
    : `${lower}: once merged, check does not report it as a new version, so that no get with trigger: true deploys it over ${higher}; ${howToDeploy(version)}`;
}
