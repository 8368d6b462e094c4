// Synthetic release repositories for the fetch, out and metadata benchmarks, generated once with
// `git fast-import` into the cache and reused by every later run.
//
// The repository-size grid: every repository ends with the same metadata (SyntheticRelease: 150
// releases imported in the first commit, as when a repository starts tracking its metadata, then
// 49 releases over the history, plus release 200 on the lock branch, ready to be merged), so that
// only the history and the source differ: `commits` commits carrying `sourceBytes` of
// incompressible data, spread over the commits between releases under src/<package>/ (four files
// per package, overwritten in turn).
//
// The metadata-size grid: the same small history and source for every repository, 15 + 4
// releases, and every `.final_builds` index on main filled to `entriesPerIndex` builds with older
// builds that no kept manifest references, so that only the size of the metadata differs.
//
// The metadata-spread grid: the same history, source and releases, every index of 50 builds, and
// beside the release's 61 indexes those of retired jobs and packages (bosh keeps an index when its
// job or package goes), so that the metadata grows as on the metadata-size grid while what the
// release references stays the same.
import { createCipheriv, createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { git, GIT_ENV } from './process.js';
import { SyntheticRelease } from './synthetic-release.js';

/** Commits and source bytes of one repository of a grid, and its metadata's size. */
export interface RepoSpec {
  commits: number;
  sourceBytes: number;
  /**
   * Builds in each `.final_builds` index on main (the metadata-size grid); without it, what 199
   * releases of 50 new builds leave (~163 per index).
   */
  entriesPerIndex?: number;
  /**
   * Indexes of retired jobs and packages on main beside the release's 61, `entriesPerIndex`
   * builds each, referenced by no kept manifest (the metadata-spread grid).
   */
  retiredIndexes?: number;
}

/** A generated repository in the cache. */
export interface SyntheticRepo extends RepoSpec {
  /** The bare repository. */
  path: string;
  releaseName: string;
  /** Where the next release (200, or 20 on the metadata-size grid) waits to be merged into main. */
  lockBranch: string;
  mainSha: string;
  lockSha: string;
  /** The version on the lock branch, and the highest on main. */
  lockVersion: string;
  mainVersion: string;
  /** `.final_builds` entries on main. */
  buildsOnMain: number;
  /** Metadata files on main and their total size. */
  metadataFiles: number;
  metadataBytes: number;
  packBytes: number;
  generatedMs: number;
}

// Bump when the generated content changes: the cache keys on it.
const GENERATOR = 1;
const SLOTS_PER_PACKAGE = 4;
const MIB = 2 ** 20;
/** The release's own indexes: 40 packages, 20 jobs, the license. */
const RELEASE_INDEXES = new SyntheticRelease().indexPaths.length;

/**
 * The metadata-size grid: 61 indexes of 50, 500 or 5,000 builds (3,050, 30,500 and 305,000
 * entries: about 1, 8 and 83 MiB of metadata), history and source small and equal.
 */
export function metadataGrid(quick: boolean): RepoSpec[] {
  const entries = quick ? [50, 500] : [50, 500, 5000];
  return entries.map((entriesPerIndex) => ({
    commits: 100,
    sourceBytes: 10 * MIB,
    entriesPerIndex,
  }));
}

/**
 * The metadata-spread grid: the same 3,050, 30,500 and 305,000 entries as the metadata-size grid,
 * in 61, 610 and 6,100 indexes of 50 builds, of which the release references its own 61 and the
 * rest are retired jobs' and packages'.
 */
export function spreadGrid(quick: boolean): RepoSpec[] {
  const indexes = quick ? [61, 610] : [61, 610, 6100];
  return indexes.map((total) => ({
    commits: 100,
    sourceBytes: 10 * MIB,
    entriesPerIndex: 50,
    retiredIndexes: total - RELEASE_INDEXES,
  }));
}

/** How many releases the first commit imports, and how many follow over the history. */
export function releasesOf(spec: RepoSpec): { imported: number; overHistory: number } {
  // Few enough releases that 50 builds per index hold them all.
  return spec.entriesPerIndex === undefined
    ? { imported: 150, overHistory: 49 }
    : { imported: 15, overHistory: 4 };
}

/**
 * The release as the generator starts it: empty, or for the metadata grids with each index holding
 * the older builds that, with the builds of the releases to come, make `entriesPerIndex`, and the
 * retired jobs' and packages' indexes (two packages for every job, as in the release) beside them.
 */
export function startingRelease(spec: RepoSpec): SyntheticRelease {
  const release = new SyntheticRelease();
  const target = spec.entriesPerIndex;
  if (target === undefined) return release;
  const { imported, overHistory } = releasesOf(spec);
  for (const [path, built] of release.buildsOfNextCuts(imported + overHistory)) {
    if (built > target) throw new Error(`${path} gets ${built} builds, over ${target}`);
    release.addOldBuilds(path, target - built);
  }
  for (let i = 0; i < (spec.retiredIndexes ?? 0); i++) {
    const kind = i % 3 === 2 ? 'job' : 'package';
    const number = kind === 'job' ? Math.floor(i / 3) : i - Math.floor(i / 3);
    const name = `retired-${kind === 'job' ? 'job' : 'pkg'}-${String(number).padStart(4, '0')}`;
    release.addRetiredIndex({ kind, name }, target);
  }
  return release;
}
const START = Date.UTC(2020, 0, 1) / 1000;

/** The repository of a spec from the cache, generating it first when it is not there. */
export async function syntheticRepo(
  cacheDir: string,
  spec: RepoSpec,
  say: (line: string) => void,
): Promise<SyntheticRepo> {
  const name = cacheName(spec);
  const path = join(cacheDir, `${name}.git`);
  const done = join(cacheDir, `${name}.json`);
  if (existsSync(done)) {
    // The cache may have moved since (a copied worktree): the repository is the one beside it.
    return { ...(JSON.parse(await readFile(done, 'utf8')) as SyntheticRepo), path };
  }
  await rm(path, { recursive: true, force: true });
  await mkdir(cacheDir, { recursive: true });
  say(`generating ${describeSpec(spec)} into ${path} (once; later runs reuse it)`);
  const start = performance.now();
  await git(cacheDir, ['init', '--quiet', '--bare', '--initial-branch=main', path]);
  const facts = await fastImport(path, spec);
  // One pack with a bitmap, as a hosting server keeps it. Deltas between versions of the
  // metadata files, as in real packs; none tried on the random source, which has none.
  await writeFile(join(path, 'info', 'attributes'), 'src/** -delta\n');
  await git(path, ['repack', '-a', '-d', '-f', '-q', '-b', '--window=10', '--depth=50']);
  const packBytes = await packSize(path);
  const repo: SyntheticRepo = {
    ...spec,
    ...facts,
    path,
    mainSha: (await git(path, ['rev-parse', 'refs/heads/main'])).trim(),
    lockSha: (await git(path, ['rev-parse', `refs/heads/${facts.lockBranch}`])).trim(),
    packBytes,
    generatedMs: performance.now() - start,
  };
  await writeFile(done, `${JSON.stringify(repo, null, 2)}\n`);
  say(
    `  ${describeSpec(spec)}: pack ${(packBytes / 2 ** 20).toFixed(0)} MiB in ${(repo.generatedMs / 1000).toFixed(1)} s`,
  );
  return repo;
}

/**
 * A spec's name in the cache. Specs that generate the same repository share it: the
 * metadata-spread grid's smallest, no index retired, is the metadata-size grid's smallest.
 */
export function cacheName(spec: RepoSpec): string {
  const entries = spec.entriesPerIndex === undefined ? '' : `-e${spec.entriesPerIndex}`;
  const retired = (spec.retiredIndexes ?? 0) === 0 ? '' : `-r${spec.retiredIndexes}`;
  return `c${spec.commits}-s${spec.sourceBytes}${entries}${retired}-g${GENERATOR}`;
}

/**
 * main alone, in a bare repository of its own beside the cached one (made on first use), for the
 * puts: one pack with a bitmap, as a server keeps a branch after its maintenance. In the cached
 * repository the lock branch's indexes are the newer and larger versions, so its repack made them
 * the delta bases and stored main's as deltas against them; serving main's indexes to a blobless
 * fetch from there made the sandbox rebuild and recompress every one of them (5 s of a put at
 * 305,000 entries), work a server does not do for a branch's newest files. Cloned without the
 * lock branch, main's newest indexes travel, and are kept, whole.
 */
export async function mainOnlyRepo(repo: SyntheticRepo): Promise<string> {
  const path = repo.path.replace(/\.git$/, '-main.git');
  const ready = join(path, 'bench-ready');
  if (existsSync(ready)) return path;
  await rm(path, { recursive: true, force: true });
  await git(dirname(path), [
    'clone',
    '--quiet',
    '--bare',
    '--no-local',
    '--single-branch',
    '--branch',
    'main',
    repo.path,
    path,
  ]);
  await git(path, ['repack', '-a', '-d', '-q', '-b']);
  await writeFile(ready, '');
  return path;
}

/**
 * `1,000 commits, 100 MiB`, and the index entries when the spec sets them (and the indexes, when
 * some are retired).
 */
export function describeSpec(spec: RepoSpec): string {
  const history = `${spec.commits.toLocaleString('en-US')} commits, ${formatSize(spec.sourceBytes)}`;
  if (spec.entriesPerIndex === undefined) return history;
  const retired = spec.retiredIndexes ?? 0;
  const indexes = RELEASE_INDEXES + retired;
  const entries = `${(spec.entriesPerIndex * indexes).toLocaleString('en-US')} index entries`;
  return retired === 0
    ? `${entries}, ${history}`
    : `${entries} in ${indexes.toLocaleString('en-US')} indexes, ${history}`;
}

function formatSize(bytes: number): string {
  return bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : `${bytes / 2 ** 20} MiB`;
}

type ImportFacts = Pick<
  SyntheticRepo,
  | 'releaseName'
  | 'lockBranch'
  | 'lockVersion'
  | 'mainVersion'
  | 'buildsOnMain'
  | 'metadataFiles'
  | 'metadataBytes'
>;

async function fastImport(path: string, spec: RepoSpec): Promise<ImportFacts> {
  // Level 1: the source is incompressible anyway, and level 6 on a GiB of it takes long.
  const child = spawn(
    'git',
    ['-c', 'pack.compression=1', 'fast-import', '--quiet', '--done', '--big-file-threshold=64k'],
    {
      cwd: path,
      env: GIT_ENV,
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}: ${stderr}`)),
    );
  });
  const write = async (data: string | Buffer) => {
    if (!child.stdin.write(data))
      await new Promise((resolve) => child.stdin.once('drain', resolve));
  };
  const source = randomStream(spec);
  const release = startingRelease(spec);
  const { imported, overHistory } = releasesOf(spec);
  const name = release.shape.name;
  const lockBranch = `bosh-release-pr/main/${name}`;
  let commitNumber = 0;

  const commit = async (
    branch: string,
    message: string,
    files: ReadonlyMap<string, string | Buffer>,
  ) => {
    commitNumber++;
    const when = `${START + commitNumber * 3600} +0000`;
    const head = [
      `commit refs/heads/${branch}`,
      `mark :${commitNumber}`,
      `author Release Engineer <engineer@example.com> ${when}`,
      `committer Release Engineer <engineer@example.com> ${when}`,
      `data ${Buffer.byteLength(message)}`,
      message,
      ...(commitNumber > 1 ? [`from :${commitNumber - 1}`] : []),
      '',
    ].join('\n');
    await write(head);
    for (const [file, content] of files) {
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      await write(`M 100644 inline ${file}\ndata ${bytes.length}\n`);
      await write(bytes);
      await write('\n');
    }
    await write('\n');
  };
  const shortSha = (n: number) =>
    createHash('sha1').update(`commit ${n}`).digest('hex').slice(0, 8);

  // The first commit imports the metadata of earlier releases, and the release's skeleton.
  for (let i = 0; i < imported; i++) release.cut({ commitHash: shortSha(i) });
  const skeleton = new Map<string, string>(release.allFiles());
  skeleton.set('README.md', `# ${name}-release\n\nA synthetic BOSH release for benchmarks.\n`);
  skeleton.set(
    '.gitignore',
    'config/private.yml\nblobs\ndev_releases\n.blobs\n.dev_builds\n*.tgz\n',
  );
  for (const pkg of release.packageNames)
    skeleton.set(`packages/${pkg}/spec`, `---\nname: ${pkg}\nfiles:\n- ${pkg}/**/*\n`);
  await commit('main', `Track final release metadata in git (${imported} releases)`, skeleton);

  // Then source commits, with a release every (commits - 1) / overHistory commits; the last one
  // is a release.
  const rest = spec.commits - 1;
  const releaseAt = new Set(
    Array.from({ length: overHistory }, (_, j) => 1 + Math.ceil(((j + 1) * rest) / overHistory)),
  );
  const sourceCommits = rest - releaseAt.size;
  if (sourceCommits < 1) throw new Error(`${spec.commits} commits leave no room for source`);
  let sourceIndex = 0;
  for (let n = 2; n <= spec.commits; n++) {
    if (releaseAt.has(n)) {
      const version = release.nextVersion;
      const changed = release.cut({ commitHash: shortSha(n - 1) });
      await commit(
        'main',
        `Final release ${version}`,
        new Map(changed.map((p) => [p, release.file(p)])),
      );
      continue;
    }
    const packages = release.packageNames;
    const pkg = packages[sourceIndex % packages.length] ?? 'pkg';
    const slot = Math.floor(sourceIndex / packages.length) % SLOTS_PER_PACKAGE;
    const size =
      sourceIndex === sourceCommits - 1
        ? spec.sourceBytes - Math.floor(spec.sourceBytes / sourceCommits) * (sourceCommits - 1)
        : Math.floor(spec.sourceBytes / sourceCommits);
    sourceIndex++;
    await commit(
      'main',
      `Update ${pkg} sources (${sourceIndex})`,
      new Map([[`src/${pkg}/part-${slot}.bin`, source(size)]]),
    );
  }
  const onMain = release.allFiles();
  const mainVersion = String(release.releaseCount);
  const buildsOnMain = release.buildCount;

  // The next release on the lock branch, as `out` leaves it: the PR the in benchmark merges.
  const lockVersion = release.nextVersion;
  const changed = release.cut({ commitHash: shortSha(spec.commits) });
  await commit(
    lockBranch,
    `Final release ${lockVersion}`,
    new Map(changed.map((p) => [p, release.file(p)])),
  );
  await write('done\n');
  child.stdin.end();
  await exited;
  return {
    releaseName: name,
    lockBranch,
    lockVersion,
    mainVersion,
    buildsOnMain,
    metadataFiles: onMain.size,
    metadataBytes: [...onMain.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0),
  };
}

/**
 * The files `bosh create-release --final` would leave uncommitted in a checkout of main: the next
 * release (the lock branch's version, 50 new builds), cut from main's head.
 */
export function nextReleaseFiles(repo: SyntheticRepo): Map<string, string> {
  const release = startingRelease(repo);
  const { imported, overHistory } = releasesOf(repo);
  for (let i = 0; i < imported + overHistory; i++) release.cut({ commitHash: '' });
  if (release.nextVersion !== repo.lockVersion)
    throw new Error('the replay drifted from the generator');
  const changed = release.cut({ commitHash: repo.mainSha.slice(0, 8) });
  return new Map(changed.map((path) => [path, release.file(path)]));
}

// Incompressible and reproducible: an AES-CTR keystream keyed by the spec.
function randomStream(spec: RepoSpec): (size: number) => Buffer {
  const key = createHash('sha256').update(`bench ${spec.commits} ${spec.sourceBytes}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (size) => cipher.update(Buffer.alloc(size));
}

async function packSize(path: string): Promise<number> {
  const out = await git(path, ['count-objects', '-v']);
  const kib = /size-pack: (\d+)/.exec(out)?.[1];
  return Number(kib ?? 0) * 1024;
}
