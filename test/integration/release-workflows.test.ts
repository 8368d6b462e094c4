// The release workflows real BOSH teams run (docs/cuts.md), against the sandbox with real git: a
// put from a checkout that moved on since the cut, a dev release finalized at a later commit, a
// committed patch release below the highest version, a cut from a dirty tree, a cut from a commit
// GitHub does not have, and a backport merged after a higher version.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestIndexPaths } from '../../src/bosh/index.js';
import { parseReleaseIndex, writeReleaseIndex } from '../../src/bosh/release-index.js';
import type { GetPutResponse, ResourceVersion } from '../../src/concourse/contract.js';
import { parseCheckRequest } from '../../src/concourse/settings.js';
import type { Git } from '../../src/git/git.js';
import { EXAMPLE_BUNDLE } from '../support/repos.js';
import { git } from '../support/git.js';
import { LOCK, OWNER, World, type StepRun } from '../support/world.js';

let world: World;
/** The bundle's main tip S ("app v3 and worker tweak"): every cut of the bundle names it. */
let S: string;
const MANIFEST = 'releases/example/example-3.yml';
const RELEASE_INDEX = 'releases/example/index.yml';

beforeAll(async () => {
  world = await World.start();
  S =
    (await git(world.root, ['ls-remote', EXAMPLE_BUNDLE, 'refs/heads/main'])).split('\t')[0] ?? '';
});

afterAll(async () => {
  await world.stop();
});

function succeeded(run: StepRun<GetPutResponse>): Record<string, string> {
  if (run.error !== undefined) throw run.error;
  if (run.result === undefined) throw new Error('no result');
  return Object.fromEntries(run.result.metadata.map(({ name, value }) => [name, value]));
}

function failure(run: StepRun<GetPutResponse>): string {
  expect(run.result).toBeUndefined();
  expect(run.error?.name).toBe('UserError');
  return run.error?.message ?? '';
}

/**
 * A build directory whose `release-repo` is a clone of the sandbox repository at `branch` (so
 * its remote-tracking branches are GitHub's), with the bundle's branches under refs/bundle/.
 */
async function cloneBuild(repo: string, branch = 'main'): Promise<{ build: string; dir: string }> {
  const build = await world.tempDir('brp-workflow-');
  const dir = join(build, 'release-repo');
  const bare = world.sandbox.bareRepoPath(OWNER, repo);
  await git(build, ['clone', '--quiet', '--branch', branch, bare, dir]);
  await git(dir, ['fetch', '--quiet', EXAMPLE_BUNDLE, '+refs/heads/*:refs/bundle/*']);
  return { build, dir };
}

/** Lays the metadata files of a bundle cut over the work tree, uncommitted, as bosh leaves them. */
async function layCut(dir: string, cut = 'cut-a'): Promise<void> {
  await git(dir, ['checkout', `refs/bundle/${cut}`, '--', '.final_builds', 'releases']);
  await git(dir, ['reset', '--quiet']);
}

async function commitAll(dir: string, message: string): Promise<string> {
  await git(dir, ['add', '--all']);
  await git(dir, ['commit', '--quiet', '-m', message]);
  return (await git(dir, ['rev-parse', 'HEAD'])).trim();
}

async function edit(dir: string, path: string, change: (text: string) => string): Promise<void> {
  await writeFile(join(dir, path), change(await readFile(join(dir, path), 'utf8')));
}

async function lockMessage(repo: string): Promise<string> {
  return git(world.sandbox.bareRepoPath(OWNER, repo), ['log', '-1', '--format=%B', LOCK]);
}

/** Commits on a sandbox branch as a person would: source changes, no release metadata. */
async function moveOn(repo: string, branch: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await world.sandbox.commitToBranch(OWNER, repo, branch, {
      files: { [`src/app/change-${i}.rb`]: `# change ${i}\n` },
      message: `app: change ${i}`,
    });
  }
}

describe('a release cut from an earlier commit than the checkout', () => {
  it('puts a cut from HEAD~3 from a checkout at HEAD', async () => {
    const repo = await world.repository();
    await moveOn(repo, 'main', 3);
    const { build, dir } = await cloneBuild(repo);
    expect((await git(dir, ['rev-parse', 'HEAD~3'])).trim()).toBe(S);
    await layCut(dir);
    expect(await readFile(join(dir, MANIFEST), 'utf8')).toContain(
      `commit_hash: ${S.slice(0, 7)}\n`,
    );

    const meta = succeeded(await world.put(repo, build));
    expect(meta).toMatchObject({ operation: 'created', version: '3' });
    expect(await world.metadataDiff(repo, 'main', LOCK)).toEqual(
      await world.bundleDiff('main', 'cut-a'),
    );
    expect(await lockMessage(repo)).toContain(`Bosh-Release-Source: ${S}\n`);
    const body = world.sandbox.pull(OWNER, repo, Number(meta.pr)).body ?? '';
    expect(body).toContain(
      `cut from [\`${S.slice(0, 7)}\`](${world.sandbox.webUrl}/${OWNER}/${repo}/commit/${S})`,
    );
  });

  it('puts a cut a task committed, after which the checkout moved on by commits of its own', async () => {
    const repo = await world.repository();
    await moveOn(repo, 'main', 2);
    const { build, dir } = await cloneBuild(repo);
    await layCut(dir);
    await commitAll(dir, 'Final release 3');
    await writeFile(join(dir, 'src/app/after.rb'), '# after the release\n');
    await commitAll(dir, 'app: a change after the release commit');

    const meta = succeeded(await world.put(repo, build));
    expect(meta).toMatchObject({ operation: 'created', version: '3' });
    expect(await world.metadataDiff(repo, 'main', LOCK)).toEqual(
      await world.bundleDiff('main', 'cut-a'),
    );
    expect(await lockMessage(repo)).toContain(`Bosh-Release-Source: ${S}\n`);
  });

  it('refuses a cut from a commit that is not in the checkout’s history', async () => {
    const repo = await world.repository();
    const { build, dir } = await cloneBuild(repo);
    // A checkout older than the cut: cut-a's files (cut from S) laid over S's parent.
    await git(dir, ['checkout', '--quiet', '--detach', 'HEAD^']);
    await layCut(dir);
    const parent = (await git(dir, ['rev-parse', '--short=7', 'HEAD'])).trim();
    const since = world.sandbox.log().length;
    expect(failure(await world.put(repo, build))).toBe(
      `${MANIFEST} says release 3 was cut from ${S.slice(0, 7)}, which is not in the history of ${parent} the release was written on: give the put the checkout the release was cut in, or one that moved on from that commit`,
    );
    expect(world.requests(repo, since)).toEqual([]);
  });
});

describe('a put reads of the checkout only what its release involves', () => {
  const RETIRED = '.final_builds/packages/retired/index.yml';
  const OTHER = 'releases/other/index.yml';

  /** main with a retired package's index and another release's index, neither the cut's. */
  async function withRetired(repo: string): Promise<void> {
    await world.sandbox.commitToBranch(OWNER, repo, 'main', {
      files: {
        [RETIRED]: 'builds: {}\nformat-version: "2"\n',
        [OTHER]: 'builds: {}\nformat-version: "2"\n',
      },
      message: 'a package no release uses any more, and another release',
    });
  }

  it('puts from a sparse checkout that leaves out the files the release does not involve', async () => {
    const repo = await world.repository();
    await withRetired(repo);
    const { build, dir } = await cloneBuild(repo);
    // As the git resource's sparse_paths leaves them: in git, not in the work tree.
    await git(dir, ['sparse-checkout', 'set', '--no-cone', '/*', `!/${RETIRED}`, `!/${OTHER}`]);
    await layCut(dir);

    const meta = succeeded(await world.put(repo, build));
    expect(meta).toMatchObject({ operation: 'created', version: '3' });
    expect(await world.metadataDiff(repo, 'main', LOCK)).toEqual(
      await world.bundleDiff('main', 'cut-a'),
    );
  });

  it('reads in git the release’s own files and no other index', async () => {
    const repo = await world.repository();
    await withRetired(repo);
    const { build, dir } = await cloneBuild(repo);
    await layCut(dir);
    const read: string[] = [];
    const log = world.log();
    const real = world.connect(parseCheckRequest({ source: world.source(repo) }).source, log).git;
    const recording: Git = {
      ...real,
      readCommitFiles: async (at, commit, files) => {
        const texts = await real.readCommitFiles(at, commit, files);
        if (at === dir) read.push(...texts.keys());
        return texts;
      },
    };

    const meta = succeeded(await world.put(repo, build, {}, { deps: { git: recording } }));
    expect(meta).toMatchObject({ operation: 'created', version: '3' });
    const referenced = manifestIndexPaths(await readFile(join(dir, MANIFEST), 'utf8'), MANIFEST);
    expect(read.sort()).toEqual(['config/final.yml', ...referenced, RELEASE_INDEX].sort());
  });

  it.each([
    ['an index the release references', '.final_builds/packages/nginx/index.yml'],
    ['an index it does not', RETIRED],
  ])('still refuses a later commit of the checkout that changes %s', async (_what, path) => {
    const repo = await world.repository();
    await withRetired(repo);
    const { build, dir } = await cloneBuild(repo);
    await layCut(dir);
    await commitAll(dir, 'Final release 3');
    // A build added by hand, which no manifest uses.
    const entry = `  ${'f'.repeat(40)}:\n    version: ${'f'.repeat(40)}\n    sha1: ${'e'.repeat(40)}\n    blobstore_id: 00000000-0000-0000-0000-000000000000\n`;
    await edit(dir, path, (text) => text.replace(/^builds:(?: \{\})?\n/m, `builds:\n${entry}`));
    await commitAll(dir, 'a hand edit after the release commit');

    const message = failure(await world.put(repo, build));
    expect(message).toContain(path);
    expect(await world.branchSha(repo, LOCK)).toBeUndefined();
  });
});

describe('a dev release finalized at a later commit', () => {
  // The workflow: `bosh create-release --tarball dev.tgz` at S (commit_hash: S), the tarball is
  // tested, and later `bosh finalize-release dev.tgz` runs on the branch as it is then: F = moved
  // (a vendored nginx build) plus a docs commit. finalize-release keeps the dev release's
  // commit_hash and jobs/packages (bosh-cli cmd/finalize_release.go sets only name and version),
  // takes the next final version over F's index, and adds .final_builds entries only for
  // fingerprints F lacks (release/resource/resource.go Finalize). F changed none of the four
  // files cut-a's --final wrote, so cut-a's files laid over F are byte for byte what
  // finalize-release writes there.
  async function finalizedAtF(repo: string): Promise<{ build: string; dir: string; f: string }> {
    await world.sandbox.commitToBranch(OWNER, repo, 'moved', {
      files: { 'docs/upgrading.md': '# Upgrading\n' },
      message: 'docs: upgrading',
    });
    const { build, dir } = await cloneBuild(repo, 'moved');
    const f = (await git(dir, ['rev-parse', 'HEAD'])).trim();
    const cutFiles = (await git(dir, ['diff', '--name-only', S, 'refs/bundle/cut-a'])).trim();
    expect(
      (await git(dir, ['diff', '--name-only', S, f, '--', ...cutFiles.split('\n')])).trim(),
    ).toBe('');
    await layCut(dir);
    return { build, dir, f };
  }

  it('opens the PR of a dev tarball tested at S and finalized at F, uncommitted', async () => {
    const repo = await world.repository();
    const { build, dir, f } = await finalizedAtF(repo);
    expect(await git(dir, ['merge-base', '--is-ancestor', S, f]).then(() => 'ancestor')).toBe(
      'ancestor',
    );
    const nginx = await readFile(join(dir, '.final_builds/packages/nginx/index.yml'), 'utf8');

    const meta = succeeded(await world.put(repo, build, {}, { source: { base_branch: 'moved' } }));
    const lock = 'bosh-release-pr/moved/example';
    expect(meta).toMatchObject({ operation: 'created', version: '3', lock_branch: lock });
    const files = await world.metadataDiff(repo, 'moved', lock);
    expect([...files.keys()].sort()).toEqual([
      '.final_builds/jobs/worker/index.yml',
      '.final_builds/packages/app/index.yml',
      MANIFEST,
      RELEASE_INDEX,
    ]);
    // The vendored nginx build F added stays as F has it.
    expect(
      await git(world.sandbox.bareRepoPath(OWNER, repo), [
        'show',
        `${lock}:.final_builds/packages/nginx/index.yml`,
      ]),
    ).toBe(nginx);
    const message = await git(world.sandbox.bareRepoPath(OWNER, repo), [
      'log',
      '-1',
      '--format=%B',
      lock,
    ]);
    expect(message).toContain(`Bosh-Release-Source: ${S}\n`);
  });

  it('opens the PR when the task committed the finalized release on F', async () => {
    const repo = await world.repository();
    const { build, dir } = await finalizedAtF(repo);
    await commitAll(dir, 'Final release 3 (finalized)');
    const meta = succeeded(await world.put(repo, build, {}, { source: { base_branch: 'moved' } }));
    expect(meta).toMatchObject({ operation: 'created', version: '3' });
  });
});

describe('a committed release whose version is not the highest', () => {
  // `bosh create-release --final --version 1.1` at S: cut-a's builds, the version and the
  // manifest's name changed (the CLI takes --version as given; 1.1 is quoted, a float to YAML).
  async function patchRelease(dir: string): Promise<void> {
    await layCut(dir);
    await edit(dir, RELEASE_INDEX, (text) => text.replace('version: "3"', 'version: "1.1"'));
    const manifest = (await readFile(join(dir, MANIFEST), 'utf8')).replace(
      'version: "3"',
      'version: "1.1"',
    );
    await git(dir, ['rm', '--quiet', '--cached', '--ignore-unmatch', MANIFEST]);
    await writeFile(join(dir, 'releases/example/example-1.1.yml'), manifest);
    await git(dir, ['clean', '--quiet', '-f', MANIFEST]);
  }

  it('delivers the version HEAD’s commit added (1.1), not the highest of the index (2)', async () => {
    const repo = await world.repository();
    const { build, dir } = await cloneBuild(repo);
    await patchRelease(dir);
    await commitAll(dir, 'Final release 1.1');
    const index = await readFile(join(dir, RELEASE_INDEX), 'utf8');
    expect(index).toContain('version: "2"');

    const meta = succeeded(await world.put(repo, build, { version: '1.1' }));
    expect(meta).toMatchObject({ operation: 'created', version: '1.1' });
    const files = await world.metadataDiff(repo, 'main', LOCK);
    expect([...files.keys()].sort()).toEqual([
      '.final_builds/jobs/worker/index.yml',
      '.final_builds/packages/app/index.yml',
      'releases/example/example-1.1.yml',
      RELEASE_INDEX,
    ]);
    expect(files.get(RELEASE_INDEX)).toBe(index);
    expect(world.sandbox.pull(OWNER, repo, Number(meta.pr)).title).toBe('Final release 1.1');
  });
});

describe('a release cut from a dirty tree', () => {
  it('is refused by default, and accepted with params.allow_uncommitted_changes, the PR saying so', async () => {
    const repo = await world.repository();
    const { build, dir } = await cloneBuild(repo);
    await layCut(dir);
    await edit(dir, MANIFEST, (text) =>
      text.replace('uncommitted_changes: false', 'uncommitted_changes: true'),
    );
    const since = world.sandbox.log().length;
    expect(failure(await world.put(repo, build))).toBe(
      'releases/example/example-3.yml says uncommitted_changes: true (release 3 was cut from a dirty working tree): commit the changes, then cut the release again; if this repository is always dirty at a cut (submodules, generated files), set params.allow_uncommitted_changes: true',
    );
    expect(world.requests(repo, since, { writes: true })).toEqual([]);

    const run = await world.put(repo, build, { allow_uncommitted_changes: true });
    const meta = succeeded(run);
    expect(meta).toMatchObject({ operation: 'created', version: '3' });
    expect(run.logs).toContain(
      'example 3 was cut from a dirty working tree (uncommitted_changes: true)',
    );
    const body = world.sandbox.pull(OWNER, repo, Number(meta.pr)).body ?? '';
    const [summary, warning, note] = body.split('\n\n');
    expect(summary).toMatch(/^Final release \*\*example 3\*\*, cut from /);
    expect(warning).toBe(
      `> [!WARNING]\n> **Cut from a dirty working tree** (\`uncommitted_changes: true\`, accepted with \`params.allow_uncommitted_changes\`): its jobs and packages may hold changes that no commit has, so [\`${S.slice(0, 7)}\`](${world.sandbox.webUrl}/${OWNER}/${repo}/commit/${S}) is not all of its source.`,
    );
    expect(note).toMatch(/^\| \| name \| fingerprint \| digest \|/);
  });
});

describe('a release cut from a commit GitHub does not have', () => {
  /** A commit only this checkout has (a README change: the release's builds stay cut-a's). */
  async function localCut(dir: string): Promise<string> {
    await writeFile(join(dir, 'NOTES.md'), 'local only\n');
    const local = await commitAll(dir, 'notes, never pushed');
    await layCut(dir);
    await edit(dir, MANIFEST, (text) =>
      text.replace(`commit_hash: ${S.slice(0, 7)}`, `commit_hash: ${local.slice(0, 7)}`),
    );
    return local;
  }

  it('is refused before anything is written, saying to push the source first', async () => {
    const repo = await world.repository();
    const { build, dir } = await cloneBuild(repo);
    const local = await localCut(dir);
    const since = world.sandbox.log().length;
    const run = await world.put(repo, build);
    expect(failure(run)).toBe(
      `example 3 was cut from ${local.slice(0, 7)}, which acme/${repo} does not have: push the source first (git push origin ${local.slice(0, 7)}:refs/heads/<branch>), then put again`,
    );
    const requests = world.requests(repo, since);
    expect(requests.filter((entry) => entry.write)).toEqual([]);
    expect(requests.filter((entry) => entry.gitService === 'git-receive-pack')).toEqual([]);
    expect(await world.branchSha(repo, LOCK)).toBeUndefined();
  });

  it('is refused when the commit is only on a pull request’s ref, not on a branch or tag', async () => {
    const repo = await world.repository();
    const { build, dir } = await cloneBuild(repo);
    const local = await localCut(dir);
    // Pushed as a PR's head, which is then deleted: GitHub keeps refs/pull/N/head.
    await git(dir, ['push', '--quiet', 'origin', `${local}:refs/heads/notes`]);
    const number = await world.sandbox.createPull(OWNER, repo, {
      head: 'notes',
      base: 'main',
      title: 'notes',
    });
    await world.sandbox.deleteBranch(OWNER, repo, 'notes');
    await git(dir, ['fetch', '--quiet', '--prune', 'origin']);
    const since = world.sandbox.log().length;
    expect(failure(await world.put(repo, build))).toBe(
      `example 3 was cut from ${local.slice(0, 7)}, which is on no branch or tag of acme/${repo} (not in the history of main): push the source first (git push origin ${local.slice(0, 7)}:refs/heads/<branch>), then put again`,
    );
    expect(world.sandbox.pull(OWNER, repo, number).state).toBe('closed');
    expect(world.requests(repo, since, { writes: true })).toEqual([]);
  });

  it('is accepted once the commit is on a branch other than the base', async () => {
    const repo = await world.repository();
    const { build, dir } = await cloneBuild(repo);
    const local = await localCut(dir);
    await git(dir, ['push', '--quiet', 'origin', `${local}:refs/heads/notes`]);
    const run = await world.put(repo, build);
    expect(succeeded(run)).toMatchObject({ operation: 'created', version: '3' });
    expect(run.logs).toContain(
      `example 3 was cut from ${local.slice(0, 7)} on notes, which main lacks`,
    );
    expect(await lockMessage(repo)).toContain(`Bosh-Release-Source: ${local}\n`);
  });
});

describe('a backport: a lower version merged after a higher one', () => {
  /**
   * A checkout of main as it is now in which `bosh create-release --final --version <version>`
   * made a release with the builds of release `like` (a backport reuses most of its line's
   * builds): a new release index entry and the manifest, cut from the commit `like` was cut from.
   */
  async function cutLike(repo: string, version: string, like: string): Promise<string> {
    const { build, dir } = await cloneBuild(repo);
    const index = parseReleaseIndex(
      await readFile(join(dir, RELEASE_INDEX), 'utf8'),
      RELEASE_INDEX,
    );
    const builds = new Map(index.builds).set(
      `f1e2d3c4-0000-4000-8000-${version.replace(/\./g, '').padStart(12, '0')}`,
      version,
    );
    await writeFile(join(dir, RELEASE_INDEX), writeReleaseIndex({ builds }));
    const manifest = await readFile(join(dir, `releases/example/example-${like}.yml`), 'utf8');
    await writeFile(
      join(dir, `releases/example/example-${version}.yml`),
      manifest.replace(`version: "${like}"`, `version: "${version}"`),
    );
    return build;
  }

  /** Puts a build, merges its PR, and returns the put's metadata and the merged version. */
  async function putAndMerge(
    repo: string,
    build: string,
    source: Record<string, unknown> = {},
    beforeMerge: () => Promise<void> = async () => undefined,
  ): Promise<{
    meta: Record<string, string>;
    run: StepRun<GetPutResponse>;
    merged: ResourceVersion;
  }> {
    const run = await world.put(repo, build, {}, { source });
    const meta = succeeded(run);
    await beforeMerge();
    const ref = await world.sandbox.mergePull(OWNER, repo, Number(meta.pr));
    return { meta, run, merged: { version: meta.version ?? '', pr: meta.pr ?? '', ref } };
  }

  function versions(run: StepRun<ResourceVersion[]>): ResourceVersion[] {
    if (run.error !== undefined) throw run.error;
    return run.result ?? [];
  }

  const HOW = (version: string) =>
    `to deploy it, pin it (version: {version: "${version}"} on the resource; or fly check-resource --from version:${version}, then fly pin-resource), or release backports to their release branch through a second resource with base_branch there; source.report_lower_versions: true reports every merged release in merge order`;

  it('is named in the put’s output and PR body, not reported by check, and a later higher release is', async () => {
    const repo = await world.repository();
    const { merged: three } = await putAndMerge(repo, await world.buildDir('cut-a'));
    expect(versions(await world.check(repo))).toEqual([three]);

    const note = `example 2.1 is lower than 3, which main already has: once merged, check does not report it as a new version, so that no get with trigger: true deploys it over 3; ${HOW('2.1')}`;
    const build = await cutLike(repo, '2.1', '2');
    const backport = await putAndMerge(repo, build, {}, async () => {
      // A re-run of the put (Concourse attempts:) adopts the PR and says it again.
      const again = succeeded(await world.put(repo, build));
      expect(again).toMatchObject({ operation: 'adopted', backport: note });
    });
    expect(backport.meta).toMatchObject({ operation: 'created', version: '2.1', backport: note });
    expect(backport.run.logs).toContain(note);
    // The put returns the newest version check reports (3), as always: it triggers nothing.
    expect(backport.run.result?.version).toEqual(three);
    const body = world.sandbox.pull(OWNER, repo, Number(backport.meta.pr)).body ?? '';
    expect(body).toContain(`\n\n> [!IMPORTANT]\n> **Backport:** ${note}.\n\n`);

    const run = await world.check(repo, three);
    expect(versions(run)).toEqual([three]);
    const url = `${world.sandbox.webUrl}/${OWNER}/${repo}/pull/${backport.merged.pr}`;
    expect(run.logs).toContain(
      `PR #${backport.merged.pr} (${url}) merged example 2.1 into main, which had 3 already: not reported as a new version, so that no get with trigger: true deploys it over 3; ${HOW('2.1')}`,
    );
    // A get of it still works, once Concourse has it (a pin, or fly check-resource --from).
    expect(versions(await world.check(repo, { version: '2.1' }))).toEqual([backport.merged, three]);
    const dest = await world.tempDir('brp-backport-');
    expect(succeeded(await world.get(repo, backport.merged, dest))).toMatchObject({
      version: '2.1',
    });

    const four = await putAndMerge(repo, await cutLike(repo, '4', '3'));
    expect(four.meta).not.toHaveProperty('backport');
    expect(four.run.logs).not.toContain('is lower than');
    expect(versions(await world.check(repo, three))).toEqual([three, four.merged]);
  });

  it('is reported, in merge order, with source.report_lower_versions, and the put says so', async () => {
    const repo = await world.repository();
    const every = { report_lower_versions: true };
    const { merged: three } = await putAndMerge(repo, await world.buildDir('cut-a'), every);
    const backport = await putAndMerge(repo, await cutLike(repo, '2.1', '2'), every);
    const note =
      'example 2.1 is lower than 3, which main already has: once merged, check reports it as the newest version (source.report_lower_versions: true), and every get with trigger: true deploys it over 3';
    expect(backport.meta.backport).toBe(note);
    expect(world.sandbox.pull(OWNER, repo, Number(backport.meta.pr)).body).toContain(note);
    const run = await world.check(repo, three, { source: every });
    expect(versions(run)).toEqual([three, backport.merged]);
    expect(run.logs).not.toContain('not reported');
  });
});
