// A synthetic BOSH release's final-release metadata, grown release by release as the bosh CLI
// grows it: each final release adds one build per rebuilt job or package (and the license) to
// its `.final_builds` index, one entry to `releases/<name>/index.yml` and one manifest listing the
// current build of everything. Written with the project's byte-exact writers, so that `in` and
// `out` read it as they read real repositories. Deterministic: the same shape gives the same bytes.
import { createHash } from 'node:crypto';
import {
  buildIndexPath,
  releaseIndexPath,
  releaseManifestPath,
  writeBuildIndex,
  writeReleaseIndex,
  writeReleaseManifest,
  type BuildEntry,
  type BuildKind,
  type ManifestJob,
  type ManifestPackage,
} from '../src/bosh/index.js';

/** How big the release is and how it grows. */
export interface ReleaseShape {
  name: string;
  packages: number;
  jobs: number;
  /** New builds per release after the first (which builds everything). */
  buildsPerRelease: number;
  /** Put before every job and package name (real ones run to tens of characters). */
  namePrefix?: string;
}

/** Real repositories: tens of packages, a few hundred builds per index at most. */
export const RELEASE_SHAPE: ReleaseShape = {
  name: 'synthetic',
  packages: 40,
  jobs: 20,
  buildsPerRelease: 50,
};

interface Component {
  kind: BuildKind;
  name: string;
}

interface CurrentBuild {
  fingerprint: string;
  sha1: string;
}

const hex = (seed: string) => createHash('sha256').update(seed).digest('hex');

// bosh-cli's IDs look like UUIDs and are not RFC 4122 valid (docs/bosh-metadata.md): any 8-4-4-4-12
// hex will do.
const randomLookingId = (seed: string) => {
  const h = hex(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** The metadata of one release repository, advanced one final release at a time. */
export class SyntheticRelease {
  private readonly components: Component[];
  private readonly indexes = new Map<string, Map<string, BuildEntry>>();
  private readonly current = new Map<string, CurrentBuild>();
  private readonly versions = new Map<string, string>();
  private readonly manifests = new Map<string, string>();
  private releases = 0;

  constructor(readonly shape: ReleaseShape = RELEASE_SHAPE) {
    const prefix = shape.namePrefix ?? '';
    const packages = Array.from({ length: shape.packages }, (_, i) => `${prefix}pkg-${pad(i)}`);
    const jobs = Array.from({ length: shape.jobs }, (_, i) => `${prefix}job-${pad(i)}`);
    this.components = [
      ...jobs.map((name): Component => ({ kind: 'job', name })),
      ...packages.map((name): Component => ({ kind: 'package', name })),
      { kind: 'license', name: 'license' },
    ];
    if (shape.buildsPerRelease > this.components.length) {
      throw new Error(`a release rebuilds at most ${this.components.length} jobs and packages`);
    }
  }

  /** `config/final.yml`, as a release using a GCS blobstore writes it. */
  get finalConfig(): string {
    return `---\nblobstore:\n  provider: gcs\n  options:\n    bucket_name: ${this.shape.name}-release-blobs\nname: ${this.shape.name}\n`;
  }

  /** How many builds the `.final_builds` indexes list, all together. */
  get buildCount(): number {
    let count = 0;
    for (const builds of this.indexes.values()) count += builds.size;
    return count;
  }

  get releaseCount(): number {
    return this.releases;
  }

  /** The `.final_builds` indexes of the release's jobs, packages and license (none retired). */
  get indexPaths(): string[] {
    return this.components.map((component) => buildIndexPath(component));
  }

  /** How many builds the next `releases` cuts will add to each index. */
  buildsOfNextCuts(releases: number): Map<string, number> {
    const counts = new Map(this.indexPaths.map((path) => [path, 0]));
    for (let number = this.releases + 1; number <= this.releases + releases; number++) {
      for (const component of this.rebuilt(number)) {
        const path = buildIndexPath(component);
        counts.set(path, (counts.get(path) ?? 0) + 1);
      }
    }
    return counts;
  }

  /**
   * Adds `count` builds to an index that no kept manifest references: builds of releases older
   * than the repository's history, as a long-lived release accumulates them (bosh never removes
   * an index entry). They change no manifest and no release index.
   */
  addOldBuilds(path: string, count: number): void {
    if (!this.indexPaths.includes(path)) throw new Error(`no index ${path} in this release`);
    this.fillOldBuilds(path, count);
  }

  /**
   * Adds the index of a job or package the release no longer has, with `count` old builds: bosh
   * keeps a retired job's or package's index when its directory goes, and no kept manifest
   * references it. Returns its path.
   */
  addRetiredIndex(component: { kind: 'job' | 'package'; name: string }, count: number): string {
    const path = buildIndexPath(component);
    if (this.indexPaths.includes(path) || this.indexes.has(path))
      throw new Error(`${path} is there already`);
    this.fillOldBuilds(path, count);
    return path;
  }

  /** The version the next `cut` makes (1, 2, 3...). */
  get nextVersion(): string {
    return String(this.releases + 1);
  }

  /**
   * Cuts the next final release: new builds of some jobs and packages, then its manifest and
   * release index entry. Returns the paths it changed.
   */
  cut(options: { commitHash: string; salt?: string }): string[] {
    const number = ++this.releases;
    const version = String(number);
    const salt = options.salt ?? '';
    const changed: string[] = [];
    for (const component of this.rebuilt(number)) {
      const path = buildIndexPath(component);
      const seed = `${path}#${number}${salt}`;
      const fingerprint = hex(`fingerprint ${seed}`);
      const sha1 = `sha256:${hex(`digest ${seed}`)}`;
      const builds = this.indexes.get(path) ?? new Map<string, BuildEntry>();
      builds.set(fingerprint, {
        version: fingerprint,
        blobstoreId: randomLookingId(`blob ${seed}`),
        sha1,
      });
      this.indexes.set(path, builds);
      this.current.set(path, { fingerprint, sha1 });
      changed.push(path);
    }
    this.versions.set(randomLookingId(`release ${version}${salt}`), version);
    const manifestPath = releaseManifestPath(this.shape.name, version);
    this.manifests.set(manifestPath, this.manifest(version, options.commitHash));
    changed.push(releaseIndexPath(this.shape.name), manifestPath);
    return changed;
  }

  /** The current text of a metadata file. */
  file(path: string): string {
    if (path === 'config/final.yml') return this.finalConfig;
    if (path === releaseIndexPath(this.shape.name))
      return writeReleaseIndex({ builds: this.versions });
    const manifest = this.manifests.get(path);
    if (manifest !== undefined) return manifest;
    const builds = this.indexes.get(path);
    if (builds === undefined) throw new Error(`no metadata file ${path}`);
    return writeBuildIndex({ builds });
  }

  /** Every metadata file as it is now. */
  allFiles(): Map<string, string> {
    const paths = [
      'config/final.yml',
      ...this.indexes.keys(),
      releaseIndexPath(this.shape.name),
      ...this.manifests.keys(),
    ];
    return new Map(paths.map((path) => [path, this.file(path)]));
  }

  /** The jobs and packages of the release, for source paths next to the metadata. */
  get packageNames(): string[] {
    return this.components.filter((c) => c.kind === 'package').map((c) => c.name);
  }

  private fillOldBuilds(path: string, count: number): void {
    const builds = this.indexes.get(path) ?? new Map<string, BuildEntry>();
    for (let i = 0; i < count; i++) {
      const seed = `${path}#old-${builds.size}`;
      const fingerprint = hex(`fingerprint ${seed}`);
      builds.set(fingerprint, {
        version: fingerprint,
        blobstoreId: randomLookingId(`blob ${seed}`),
        sha1: `sha256:${hex(`digest ${seed}`)}`,
      });
    }
    this.indexes.set(path, builds);
  }

  // The first release builds everything; later ones all but a rotating few.
  private rebuilt(number: number): Component[] {
    if (number === 1) return this.components;
    const skipped = this.components.length - this.shape.buildsPerRelease;
    const offset = (number * skipped) % this.components.length;
    return this.components.filter((_, i) => {
      const fromOffset = (i - offset + this.components.length) % this.components.length;
      return fromOffset >= skipped;
    });
  }

  private manifest(version: string, commitHash: string): string {
    const build = (component: Component) => {
      const current = this.current.get(buildIndexPath(component));
      if (current === undefined) throw new Error(`${component.name} was never built`);
      return { version: current.fingerprint, ...current };
    };
    const packages = this.components.filter((c) => c.kind === 'package');
    const jobs: ManifestJob[] = this.components
      .filter((c) => c.kind === 'job')
      .map((component, i) => ({
        name: component.name,
        ...build(component),
        packages: [0, 1, 2].map((k) => packages[(i * 2 + k) % packages.length]?.name ?? ''),
      }));
    const manifestPackages: ManifestPackage[] = packages.map((component, i) => ({
      name: component.name,
      ...build(component),
      dependencies: i % 4 === 0 || packages.length < 2 ? [] : [packages[0]?.name ?? ''],
    }));
    return writeReleaseManifest({
      name: this.shape.name,
      version,
      commitHash,
      uncommittedChanges: false,
      jobs,
      packages: manifestPackages,
      compiledPackages: [],
      license: build({ kind: 'license', name: 'license' }),
    });
  }
}

function pad(i: number): string {
  return String(i).padStart(3, '0');
}
