// Where BOSH keeps final-release metadata in a release directory (bosh-cli
// releasedir/index/provider.go: job and package indexes in a folder per name, the license index
// in one folder; the release index and manifests under releases/<name>/). Paths are relative to
// the release directory, separated by "/", without a leading "./". Every other module takes
// these paths from here.

/** Metadata files by path: `config/final.yml`, `.final_builds/**`, `releases/**`. */
export type MetadataFiles = ReadonlyMap<string, string>;

/** What a `.final_builds` index holds builds of. */
export type BuildKind = 'job' | 'package' | 'license';

/** A `.final_builds` index file: the builds of one job, one package, or the license. */
interface BuildIndexLocation {
  readonly kind: BuildKind;
  /** The job or package name; `license` for the license index. */
  readonly name: string;
}

export const FINAL_CONFIG_PATH = 'config/final.yml';
export const PRIVATE_CONFIG_PATH = 'config/private.yml';
export const FINAL_BUILDS_DIR = '.final_builds';
export const RELEASES_DIR = 'releases';
export const LICENSE_NAME = 'license';

/** The directories of a release directory that hold final-release metadata. */
export const METADATA_DIRS: readonly string[] = [FINAL_BUILDS_DIR, RELEASES_DIR];

/** The path of the `.final_builds` index of a job, a package or the license. */
export function buildIndexPath(location: BuildIndexLocation): string {
  switch (location.kind) {
    case 'job':
      return `${FINAL_BUILDS_DIR}/jobs/${location.name}/index.yml`;
    case 'package':
      return `${FINAL_BUILDS_DIR}/packages/${location.name}/index.yml`;
    case 'license':
      return `${FINAL_BUILDS_DIR}/license/index.yml`;
  }
}

/** Which build index a path is, or undefined when it is not one. */
export function parseBuildIndexPath(path: string): BuildIndexLocation | undefined {
  if (path === `${FINAL_BUILDS_DIR}/license/index.yml`)
    return { kind: 'license', name: LICENSE_NAME };
  const match = /^\.final_builds\/(jobs|packages)\/([^/]+)\/index\.yml$/.exec(path);
  if (match === null || match[2] === undefined) return undefined;
  return { kind: match[1] === 'jobs' ? 'job' : 'package', name: match[2] };
}

/** The path of a release's index of final versions. */
export function releaseIndexPath(releaseName: string): string {
  return `${RELEASES_DIR}/${releaseName}/index.yml`;
}

/** The path of a final release's manifest (bosh-cli FSReleaseIndex.ManifestPath). */
export function releaseManifestPath(releaseName: string, version: string): string {
  return `${RELEASES_DIR}/${releaseName}/${releaseName}-${version}.yml`;
}

/** Whether a path is under the metadata paths a put and a get deal with. */
export function isMetadataPath(path: string): boolean {
  return (
    path === FINAL_CONFIG_PATH ||
    path.startsWith(`${FINAL_BUILDS_DIR}/`) ||
    path.startsWith(`${RELEASES_DIR}/`)
  );
}

/** Whether a path is a metadata file: a YAML file under the metadata paths. */
export function isMetadataFile(path: string): boolean {
  return isMetadataPath(path) && /\.ya?ml$/.test(path);
}
