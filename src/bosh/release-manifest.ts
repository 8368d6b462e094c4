import {
  compareBytewise,
  writeYaml,
  yamlMapping,
  type YamlMapping,
  type YamlValue,
} from './canonical-yaml.js';
import { buildIndexPath, LICENSE_NAME, type BuildKind } from './metadata-files.js';
import { ReleaseRefusal } from './refusal.js';
import { loadYaml, YamlFields, type YamlNode } from './yaml-reader.js';

// releases/<name>/<name>-<version>.yml (bosh-cli release/manifest/release.go), written by
// yaml.v2 from a struct: fields in struct order, `jobs`, `packages`, `compiled_packages` and
// `license` omitted when empty, a job's `packages` and a package's `dependencies` written
// `[]` when empty (older Go CLIs wrote no job `packages`, e.g. bosh-dns 0.1.0: kept absent when absent). Manifests of the old Ruby CLI start with `---`, order keys differently,
// lack `packages` in jobs and may hold `!binary` values; the Go CLI reads them all.

/** A job of a release. */
export interface ManifestJob {
  readonly name: string;
  readonly version: string;
  readonly fingerprint: string;
  readonly sha1: string;
  /** Absent in manifests of CLIs from before jobs listed their packages; kept absent. */
  readonly packages?: readonly string[];
}

/** A package of a release. */
export interface ManifestPackage {
  readonly name: string;
  readonly version: string;
  readonly fingerprint: string;
  readonly sha1: string;
  readonly dependencies: readonly string[];
}

/** A compiled package (compiled releases only; final releases in git have none). */
interface ManifestCompiledPackage extends ManifestPackage {
  readonly stemcell: string;
}

/** The license of a release. */
interface ManifestLicense {
  readonly version: string;
  readonly fingerprint: string;
  readonly sha1: string;
}

/** A release manifest. */
export interface ReleaseManifest {
  readonly name: string;
  readonly version: string;
  /** Short sha of the commit the release was cut from ("" when the file has none). */
  readonly commitHash: string;
  readonly uncommittedChanges: boolean;
  readonly jobs: readonly ManifestJob[];
  readonly packages: readonly ManifestPackage[];
  readonly compiledPackages: readonly ManifestCompiledPackage[];
  readonly license?: ManifestLicense;
  /** Written by bosh CLI ≥ 7.9.14; absent in older manifests. */
  readonly noCompression?: boolean;
}

/** Reads a release manifest; a malformed or incomplete file is a UserError naming it. */
export function parseReleaseManifest(text: string, path: string): ReleaseManifest {
  const root = YamlFields.of(loadYaml(text, path), path, '');
  const license = root.optionalMapping('license');
  const noCompression = root.optionalBoolean('no_compression');
  return {
    name: root.string('name'),
    version: root.string('version'),
    commitHash: root.optionalString('commit_hash') ?? '',
    uncommittedChanges: root.optionalBoolean('uncommitted_changes') ?? false,
    jobs: items(root, 'jobs').map((job) => {
      const packages = job.has('packages') ? job.strings('packages') : undefined;
      return { ...reference(job), ...(packages === undefined ? {} : { packages }) };
    }),
    packages: items(root, 'packages').map(readPackage),
    compiledPackages: items(root, 'compiled_packages').map((compiled) => ({
      ...readPackage(compiled),
      stemcell: compiled.string('stemcell'),
    })),
    ...(license === undefined ? {} : { license: readDigests(license) }),
    ...(noCompression === undefined ? {} : { noCompression }),
  };
}

function items(root: YamlFields, key: string): YamlFields[] {
  return root
    .sequence(key)
    .map((item: YamlNode, index) => YamlFields.of(item, root.path, `${key}[${index}]`));
}

function reference(fields: YamlFields): Omit<ManifestJob, 'packages'> {
  return { name: fields.string('name'), ...readDigests(fields) };
}

function readPackage(fields: YamlFields): ManifestPackage {
  return { ...reference(fields), dependencies: fields.strings('dependencies') };
}

function readDigests(fields: YamlFields): ManifestLicense {
  return {
    version: fields.string('version'),
    fingerprint: fields.string('fingerprint'),
    sha1: fields.string('sha1'),
  };
}

/** Writes a release manifest byte-identical to the bosh CLI's (yaml.v2 Marshal of its struct). */
export function writeReleaseManifest(manifest: ReleaseManifest): string {
  const pairs: Array<[string, YamlValue]> = [
    ['name', manifest.name],
    ['version', manifest.version],
    ['commit_hash', manifest.commitHash],
    ['uncommitted_changes', manifest.uncommittedChanges],
  ];
  if (manifest.jobs.length > 0) {
    pairs.push([
      'jobs',
      manifest.jobs.map((job) =>
        referenceMapping(job, job.packages === undefined ? [] : [['packages', [...job.packages]]]),
      ),
    ]);
  }
  if (manifest.packages.length > 0) {
    pairs.push([
      'packages',
      manifest.packages.map((pkg) =>
        referenceMapping(pkg, [['dependencies', [...pkg.dependencies]]]),
      ),
    ]);
  }
  if (manifest.compiledPackages.length > 0) {
    pairs.push([
      'compiled_packages',
      manifest.compiledPackages.map((pkg) =>
        referenceMapping(pkg, [
          ['stemcell', pkg.stemcell],
          ['dependencies', [...pkg.dependencies]],
        ]),
      ),
    ]);
  }
  if (manifest.license !== undefined) {
    const { version, fingerprint, sha1 } = manifest.license;
    pairs.push([
      'license',
      yamlMapping([
        ['version', version],
        ['fingerprint', fingerprint],
        ['sha1', sha1],
      ]),
    ]);
  }
  if (manifest.noCompression !== undefined) pairs.push(['no_compression', manifest.noCompression]);
  return writeYaml(yamlMapping(pairs));
}

function referenceMapping(
  item: { name: string; version: string; fingerprint: string; sha1: string },
  rest: Array<[string, YamlValue]>,
): YamlMapping {
  return yamlMapping([
    ['name', item.name],
    ['version', item.version],
    ['fingerprint', item.fingerprint],
    ['sha1', item.sha1],
    ...rest,
  ]);
}

/** Checks that a manifest is the release it should be, by name and exact version string. */
export function assertManifestIdentity(
  manifest: ReleaseManifest,
  expected: { name: string; version: string },
  path: string,
): void {
  if (manifest.name !== expected.name || manifest.version !== expected.version) {
    throw new ReleaseRefusal(
      'manifest-mismatch',
      `${path} describes ${manifest.name}/${manifest.version}, expected ${expected.name}/${expected.version}: the manifest does not match its path; restore it or re-run bosh create-release`,
    );
  }
}

/** A job, package or license build a manifest uses, with the index that must list it. */
interface BuildReference {
  readonly kind: BuildKind;
  readonly name: string;
  readonly fingerprint: string;
  readonly sha1: string;
  readonly indexPath: string;
}

/** Every build a manifest uses: jobs, then packages, then the license. */
export function manifestBuildReferences(manifest: ReleaseManifest): BuildReference[] {
  const references: BuildReference[] = [];
  const add = (kind: BuildKind, name: string, item: ManifestLicense): void => {
    references.push({
      kind,
      name,
      fingerprint: item.fingerprint,
      sha1: item.sha1,
      indexPath: buildIndexPath({ kind, name }),
    });
  };
  for (const job of manifest.jobs) add('job', job.name, job);
  for (const pkg of manifest.packages) add('package', pkg.name, pkg);
  if (manifest.license !== undefined) add('license', LICENSE_NAME, manifest.license);
  return references;
}

/** The `.final_builds` indexes a manifest's builds are in, each once, in bytewise order. */
export function manifestIndexPaths(text: string, path: string): string[] {
  const paths = manifestBuildReferences(parseReleaseManifest(text, path)).map((r) => r.indexPath);
  return [...new Set(paths)].sort(compareBytewise);
}

/** Names a build for messages: `package app build c575…`. */
export function describeReference(reference: {
  kind: BuildKind;
  name: string;
  fingerprint: string;
}): string {
  const subject =
    reference.kind === 'license' ? 'the license' : `${reference.kind} ${reference.name}`;
  return `${subject} build ${reference.fingerprint}`;
}
