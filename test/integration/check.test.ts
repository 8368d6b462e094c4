// check against the sandbox: merged release PRs as versions, the cursor rules of Concourse, the
// starting version, and what an idle poll costs (counted in the sandbox's request log).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { ResourceVersion } from '../../src/concourse/contract.js';
import { renderPullBody } from '../../src/rules/pull-body.js';
import { formatCommitMessage } from '../../src/rules/release-commit.js';
import { git } from '../support/git.js';
import { LOCK, OWNER, World } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

function versions(run: { result?: ResourceVersion[]; error?: Error }): ResourceVersion[] {
  if (run.error !== undefined) throw run.error;
  return run.result ?? [];
}

/** What a release commit adds on main: an entry in the release index, and the manifest. */
async function releaseFiles(repo: string, version: string): Promise<Record<string, string>> {
  const index = await git(world.sandbox.bareRepoPath(OWNER, repo), [
    'show',
    'main:releases/example/index.yml',
  ]);
  const id = createHash('sha1').update(`${repo} ${version}`).digest('hex').slice(0, 32);
  return {
    'releases/example/index.yml': index.replace(
      'builds:\n',
      `builds:\n  ${id}:\n    version: "${version}"\n`,
    ),
    [`releases/example/example-${version}.yml`]: `name: example\nversion: ${version}\n`,
  };
}

interface MergeOptions {
  method?: 'merge' | 'squash' | 'rebase';
  unrelatedEvery?: number;
  /** `final_builds`: the PR commits only a `.final_builds` entry, its version in its trailers. */
  track?: 'both' | 'final_builds';
}

/** Merges `count` release PRs (3.0.<first>, 3.0.<first+1>, …), plus unrelated PRs. */
async function mergeReleases(
  repo: string,
  count: number,
  options: MergeOptions & { first?: number } = {},
): Promise<ResourceVersion[]> {
  const first = options.first ?? 0;
  return mergeVersions(
    repo,
    Array.from({ length: count }, (_, i) => `3.0.${first + i}`),
    options,
  );
}

/** What a `.final_builds`-only release commit adds on main: a line in a build index. */
async function finalBuildsFiles(repo: string, version: string): Promise<Record<string, string>> {
  const path = '.final_builds/packages/app/index.yml';
  const index = await git(world.sandbox.bareRepoPath(OWNER, repo), ['show', `main:${path}`]);
  return { [path]: `${index}# ${version}\n` };
}

/** Merges a release PR from the lock branch for each version in turn, as out would open them. */
async function mergeVersions(
  repo: string,
  versions: readonly string[],
  options: MergeOptions = {},
): Promise<ResourceVersion[]> {
  const made: ResourceVersion[] = [];
  const { sandbox } = world;
  for (const [i, version] of versions.entries()) {
    const main = await world.branchSha(repo, 'main');
    const key = `key-${version}`;
    const finalBuilds = options.track === 'final_builds';
    await sandbox.commitToBranch(OWNER, repo, LOCK, {
      parent: main,
      files: finalBuilds
        ? await finalBuildsFiles(repo, version)
        : await releaseFiles(repo, version),
      message: finalBuilds
        ? formatCommitMessage(`Final release ${version}`, { version, key })
        : `Final release ${version}`,
    });
    const body = renderPullBody({
      release: {
        name: 'example',
        version,
        key,
        source: 'a'.repeat(40),
        newBuilds: [],
        jobs: 2,
        packages: 3,
      },
      repositoryUrl: `${sandbox.webUrl}/${OWNER}/${repo}`,
      base: 'main',
      buildUrl: undefined,
      buildLabel: undefined,
      track: options.track ?? 'both',
      intro: undefined,
    });
    const number = await sandbox.createPull(OWNER, repo, {
      head: LOCK,
      base: 'main',
      title: `Final release ${version}`,
      body,
    });
    const ref = await sandbox.mergePull(OWNER, repo, number, { method: options.method ?? 'merge' });
    made.push({ version, pr: String(number), ref });
    if (options.unrelatedEvery !== undefined && i % options.unrelatedEvery === 0) {
      const branch = `feature-${version}`;
      await sandbox.commitToBranch(OWNER, repo, branch, {
        parent: ref,
        files: { [`docs/${version}.md`]: 'x\n' },
        message: 'docs',
      });
      const other = await sandbox.createPull(OWNER, repo, {
        head: branch,
        base: 'main',
        title: 'docs',
      });
      await sandbox.mergePull(OWNER, repo, other);
    }
  }
  return made;
}

const named = { release_name: 'example', base_branch: 'main' };

describe('versions', () => {
  it('reports the base release as the starting version while no release PR has merged', async () => {
    const repo = await world.repository();
    const [start] = versions(await world.check(repo));
    const bare = world.sandbox.bareRepoPath(OWNER, repo);
    const added = await git(bare, [
      'log',
      '-1',
      '--format=%H',
      'main',
      '--',
      'releases/example/example-2.yml',
    ]);
    expect(start).toEqual({ version: '2', pr: '', ref: added.trim() });
  });

  it('reports nothing for a base without any final release', async () => {
    const repo = await world.repositoryWithoutReleases();
    expect(versions(await world.check(repo))).toEqual([]);
  });

  it('reports merged release PRs oldest first, for merge, squash and rebase merges', async () => {
    const repo = await world.repository();
    const made = [
      ...(await mergeReleases(repo, 1, { method: 'merge', first: 1 })),
      ...(await mergeReleases(repo, 1, { method: 'squash', first: 2 })),
      ...(await mergeReleases(repo, 1, { method: 'rebase', first: 3, unrelatedEvery: 1 })),
    ];
    const main = await world.branchSha(repo, 'main');
    expect(versions(await world.check(repo))).toEqual([made[2]]);
    expect(versions(await world.check(repo, made[0]))).toEqual(made);
    expect(made[1]?.ref).not.toBe(main);
  });

  it('places partial cursors from fly check-resource --from', async () => {
    const repo = await world.repository();
    const made = await mergeReleases(repo, 3);
    expect(versions(await world.check(repo, { pr: made[1]?.pr }))).toEqual(made.slice(1));
    expect(versions(await world.check(repo, { version: made[0]?.version }))).toEqual(made);
    expect(versions(await world.check(repo, { pr: '999' }))).toEqual([made[2]]);
    expect(
      versions(await world.check(repo, { version: '1', pr: '', ref: 'f'.repeat(40) })),
    ).toEqual([{ version: '1', pr: '', ref: 'f'.repeat(40) }, ...made]);
  });

  it('still finds merged PRs whose head branch was deleted', async () => {
    const repo = await world.repository({ deleteBranchOnMerge: true });
    const made = await mergeReleases(repo, 2);
    expect(await world.branchSha(repo, LOCK)).toBeUndefined();
    expect(versions(await world.check(repo, made[0]))).toEqual(made);
  });
});

describe('cost of a poll', () => {
  it('pages through 250 merged release PRs only as far as the cursor', async () => {
    const repo = await world.repository();
    const made = await mergeReleases(repo, 250, { unrelatedEvery: 10 });
    const source = { source: named };

    let since = world.sandbox.log().length;
    expect(versions(await world.check(repo, made[0], source))).toEqual(made);
    expect(
      world
        .requests(repo, since)
        .filter((entry) => entry.route === 'GET /repos/{owner}/{repo}/pulls'),
    ).toHaveLength(3);

    since = world.sandbox.log().length;
    expect(versions(await world.check(repo, made[248], source))).toEqual(made.slice(248));
    expect(world.requests(repo, since)).toHaveLength(1);
  }, 300_000); // seeding 275 merged PRs with real git merges takes a while on 2 busy cores

  it('answers an idle poll with one request, a 304 that costs no rate limit', async () => {
    const repo = await world.repository();
    const made = await mergeReleases(repo, 2);
    const source = { source: named };
    expect(versions(await world.check(repo, made[1], source))).toEqual([made[1]]);

    const since = world.sandbox.log().length;
    expect(versions(await world.check(repo, made[1], source))).toEqual([made[1]]);
    const requests = world.requests(repo, since);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: 304, countedAgainstRateLimit: false });

    // A new merge changes the answer.
    const [next] = await mergeReleases(repo, 1, { first: 9 });
    expect(versions(await world.check(repo, made[1], source))).toEqual([made[1], next]);
  });

  it('answers an idle poll with one request while no release PR has merged yet', async () => {
    const repo = await world.repository();
    const source = { source: named };
    const start = Date.now();
    const at = (minutes: number) => () => start + minutes * 60_000;
    const [first] = versions(await world.check(repo, undefined, { ...source, now: at(0) }));
    expect(first).toMatchObject({ version: '2', pr: '' });

    let since = world.sandbox.log().length;
    expect(versions(await world.check(repo, first, { ...source, now: at(1) }))).toEqual([first]);
    let requests = world.requests(repo, since);
    expect(requests.map((entry) => [entry.route, entry.status])).toEqual([
      ['GET /repos/{owner}/{repo}/pulls', 304],
    ]);

    // A release pushed straight to the base, not through a PR, is seen once the starting
    // version is revalidated: at most REVALIDATE_AFTER_MS late, by one more conditional request.
    const bare = world.sandbox.bareRepoPath(OWNER, repo);
    const index = await git(bare, ['show', 'main:releases/example/index.yml']);
    const pushed = await world.sandbox.commitToBranch(OWNER, repo, 'main', {
      files: {
        'releases/example/index.yml': index.replace(
          'builds:\n',
          'builds:\n  0123456789abcdef0123456789abcdef01234567:\n    version: "7"\n',
        ),
        'releases/example/example-7.yml': 'name: example\nversion: "7"\n',
      },
      message: 'a release pushed to main',
    });
    expect(versions(await world.check(repo, first, { ...source, now: at(4) }))).toEqual([first]);
    since = world.sandbox.log().length;
    const seven = { version: '7', pr: '', ref: pushed };
    expect(versions(await world.check(repo, first, { ...source, now: at(6) }))).toEqual([seven]);
    requests = world.requests(repo, since);
    // (base_branch is revalidated to be no tag too, with a free 304.)
    expect(requests.map((entry) => [entry.route, entry.status])).toEqual([
      ['GET /repos/{owner}/{repo}/git/matching-refs/{ref}', 304],
      ['GET /repos/{owner}/{repo}/pulls', 304],
      ['GET /repos/{owner}/{repo}/contents/{path}', 200],
      ['GET /repos/{owner}/{repo}/commits', 200],
    ]);

    // Revalidated and unchanged: free 304s, then one request again for five minutes.
    since = world.sandbox.log().length;
    expect(versions(await world.check(repo, seven, { ...source, now: at(12) }))).toEqual([seven]);
    expect(world.requests(repo, since).map((entry) => entry.status)).toEqual([304, 304, 304]);
    since = world.sandbox.log().length;
    expect(versions(await world.check(repo, seven, { ...source, now: at(13) }))).toEqual([seven]);
    expect(world.requests(repo, since)).toHaveLength(1);
  });

  it('remembers a base without any final release as well, instead of asking each poll', async () => {
    const repo = await world.repositoryWithoutReleases();
    const source = { source: named };
    const start = Date.now();
    expect(versions(await world.check(repo, undefined, { ...source, now: () => start }))).toEqual(
      [],
    );
    const since = world.sandbox.log().length;
    expect(
      versions(await world.check(repo, undefined, { ...source, now: () => start + 60_000 })),
    ).toEqual([]);
    // The 404 that said "no index" would count against the rate limit at every poll.
    expect(world.requests(repo, since).map((entry) => [entry.route, entry.status])).toEqual([
      ['GET /repos/{owner}/{repo}/pulls', 304],
    ]);
  });

  it('without base_branch and release_name, an idle poll still asks only conditionally', async () => {
    const repo = await world.repository();
    const made = await mergeReleases(repo, 1);
    versions(await world.check(repo, made[0]));
    const since = world.sandbox.log().length;
    expect(versions(await world.check(repo, made[0]))).toEqual(made);
    const requests = world.requests(repo, since);
    expect(requests.every((entry) => entry.status === 304)).toBe(true);
    expect(requests.length).toBeLessThanOrEqual(1);
  });
});

describe('a release lower than one its base had (a backport merged after a higher version)', () => {
  /** check's line about the release of `made` it skipped for being lower than `higher`. */
  function skippedLine(repo: string, made: ResourceVersion, higher: string): string {
    const url = `${world.sandbox.webUrl}/${OWNER}/${repo}/pull/${made.pr}`;
    return `PR #${made.pr} (${url}) merged example ${made.version} into main, which had ${higher} already: not reported as a new version, so that no get with trigger: true deploys it over ${higher}; to deploy it, pin it (version: {version: "${made.version}"} on the resource; or fly check-resource --from version:${made.version}, then fly pin-resource), or release backports to their release branch through a second resource with base_branch there; source.report_lower_versions: true reports every merged release in merge order`;
  }

  it('is not reported, with a line naming its PR and how to deploy it; the next higher one is', async () => {
    const repo = await world.repository();
    const [four] = await mergeVersions(repo, ['3.0.4']);
    const [backport] = await mergeVersions(repo, ['3.0.1']);
    if (four === undefined || backport === undefined) throw new Error('no merge');

    const run = await world.check(repo, four);
    expect(versions(run)).toEqual([four]);
    expect(run.logs).toContain(skippedLine(repo, backport, '3.0.4'));
    const first = await world.check(repo);
    expect(versions(first)).toEqual([four]);
    expect(first.logs).toContain(skippedLine(repo, backport, '3.0.4'));

    const [five] = await mergeVersions(repo, ['3.0.5']);
    expect(versions(await world.check(repo, four))).toEqual([four, five]);
    expect(versions(await world.check(repo))).toEqual([five]);
    // Past the cursor, the backport is no longer passed over: no line.
    const idle = await world.check(repo, five);
    expect(versions(idle)).toEqual([five]);
    expect(idle.logs).not.toContain(`PR #${backport.pr} `);
  });

  it('is reported in merge order with source.report_lower_versions', async () => {
    const repo = await world.repository();
    const [four, backport] = await mergeVersions(repo, ['3.0.4', '3.0.1']);
    const every = { source: { report_lower_versions: true } };
    const run = await world.check(repo, four, every);
    expect(versions(run)).toEqual([four, backport]);
    expect(run.logs).not.toContain('not reported');
    expect(versions(await world.check(repo, undefined, every))).toEqual([backport]);
  });

  it('compares with the base’s whole release index: the starting version too', async () => {
    const repo = await world.repository();
    const [start] = versions(await world.check(repo));
    if (start === undefined) throw new Error('no starting version');
    const [patch] = await mergeVersions(repo, ['1.1']);
    if (patch === undefined) throw new Error('no merge');
    const run = await world.check(repo, start);
    expect(versions(run)).toEqual([start]);
    expect(run.logs).toContain(skippedLine(repo, patch, '2'));
    expect(versions(await world.check(repo))).toEqual([start]);
  });

  it('places a cursor on a skipped release (a pin, --from), the newest reported version last', async () => {
    const repo = await world.repository();
    const [four, backport] = await mergeVersions(repo, ['3.0.4', '3.0.1']);
    // Concourse takes the last version of an answer as the latest: 3.0.4 stays the latest.
    expect(versions(await world.check(repo, { version: '3.0.1' }))).toEqual([backport, four]);
    expect(versions(await world.check(repo, backport))).toEqual([backport, four]);
    const [five] = await mergeVersions(repo, ['3.0.5']);
    expect(versions(await world.check(repo, { pr: backport?.pr }))).toEqual([backport, five]);
  });

  it('keeps an idle poll at one request while a skipped release follows the cursor', async () => {
    const repo = await world.repository();
    const [four] = await mergeVersions(repo, ['3.0.4', '3.0.1']);
    const source = { source: named };
    expect(versions(await world.check(repo, four, source))).toEqual([four]);
    const since = world.sandbox.log().length;
    const run = await world.check(repo, four, source);
    expect(versions(run)).toEqual([four]);
    expect(run.logs).toContain('merged example 3.0.1 into main, which had 3.0.4 already');
    const requests = world.requests(repo, since);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: 304, countedAgainstRateLimit: false });
  });

  it('with track: final_builds (no release index), compares with the releases merged before', async () => {
    const repo = await world.repositoryWithoutReleases();
    const finalBuilds = { track: 'final_builds' } as const;
    const source = { source: { ...named, track: 'final_builds' } };
    const [four, backport] = await mergeVersions(repo, ['3.0.4', '3.0.1'], finalBuilds);
    if (backport === undefined) throw new Error('no merge');
    const run = await world.check(repo, undefined, source);
    expect(versions(run)).toEqual([four]);
    expect(run.logs).toContain(skippedLine(repo, backport, '3.0.4'));
    expect(versions(await world.check(repo, backport, source))).toEqual([backport, four]);

    const [five] = await mergeVersions(repo, ['3.0.5'], finalBuilds);
    expect(versions(await world.check(repo, four, source))).toEqual([four, five]);
    expect(versions(await world.check(repo, backport, source))).toEqual([backport, five]);
    const since = world.sandbox.log().length;
    expect(versions(await world.check(repo, five, source))).toEqual([five]);
    expect(world.requests(repo, since).map((entry) => entry.status)).toEqual([304]);
  });
});
