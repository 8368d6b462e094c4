// Pushes the server refuses on purpose — a protected branch (GH006), a ruleset (GH013), a
// custom pre-receive hook, a token without the workflow permission — are answers, not accidents:
// the put pushes once, never retries, and says exactly what to change.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Ruleset } from '../../sandbox/index.js';
import { LOCK, OWNER, World } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

const RECEIVE_PACK = 'POST /{owner}/{repo}.git/git-receive-pack';

/** A repository whose lock branch holds cut-a under a closed PR: the next put reclaims it. */
async function abandonedLock(): Promise<string> {
  const repo = await world.repository();
  const first = await world.put(repo, await world.buildDir('cut-a'));
  expect(first.error).toBeUndefined();
  await world.sandbox.closePull(OWNER, repo, 1);
  return repo;
}

/** The put's error, after asserting it pushed exactly once and changed nothing. */
async function refusedOnce(repo: string, cut: string): Promise<string> {
  const before = await world.branchSha(repo, LOCK);
  const since = world.sandbox.log().length;
  const put = await world.put(repo, await world.buildDir(cut));
  expect(put.result).toBeUndefined();
  const pushes = world.requests(repo, since).filter((entry) => entry.route === RECEIVE_PACK);
  expect(pushes).toHaveLength(1);
  expect(pushes[0]?.refUpdates).toEqual([]);
  expect(await world.branchSha(repo, LOCK)).toBe(before);
  return put.error?.message ?? '';
}

const rules = (repo: string) =>
  `${world.sandbox.webUrl}/${OWNER}/${repo}/rules?ref=refs%2Fheads%2Fbosh-release-pr%2Fmain%2Fexample`;

describe('rulesets (GH013)', () => {
  it('a ruleset blocking force pushes: the reclaim is refused once, naming the rule and the way out', async () => {
    const repo = await abandonedLock();
    const ruleset: Ruleset = {
      name: 'no-force',
      branches: ['bosh-release-pr/**'],
      rules: ['non_fast_forward'],
    };
    world.sandbox.setRulesets(OWNER, repo, [ruleset]);
    expect(await refusedOnce(repo, 'cut-b')).toBe(
      `pushing refs/heads/${LOCK} was refused by a ruleset of ${OWNER}/${repo} (GH013: Cannot force-push to this branch; see ${rules(repo)}): the lock branch is replaced, with a lease, once its PR was merged or closed, so the resource must be allowed to force-push it: set source.branch_prefix to a prefix no such ruleset targets, or add the resource's token or GitHub App to the ruleset's bypass list`,
    );
  });

  it('a ruleset restricting creations: the first push is refused once', async () => {
    const repo = await world.repository();
    world.sandbox.setRulesets(OWNER, repo, [
      { name: 'admins-only', branches: ['~ALL'], rules: ['creation'] },
    ]);
    expect(await refusedOnce(repo, 'cut-a')).toBe(
      `pushing refs/heads/${LOCK} was refused by a ruleset of ${OWNER}/${repo} (GH013: Cannot create ref due to creations being restricted.; see ${rules(repo)}): the resource creates its lock branch: set source.branch_prefix to a prefix no such ruleset targets, or add the resource's token or GitHub App to the ruleset's bypass list`,
    );
  });

  it('a ruleset requiring signed commits: refused once, saying the resource does not sign', async () => {
    const repo = await world.repository();
    world.sandbox.setRulesets(OWNER, repo, [
      { name: 'signed', branches: ['**'], rules: ['required_signatures'] },
    ]);
    const message = await refusedOnce(repo, 'cut-a');
    expect(message).toMatch(
      new RegExp(
        `^pushing refs/heads/${LOCK} was refused by a ruleset of ${OWNER}/${repo} \\(GH013: Commits must have verified signatures\\. Found 1 violation: [0-9a-f]{40}; see .*\\): the resource's commits are not signed: set source\\.branch_prefix to a prefix no such ruleset targets, or add the resource's token or GitHub App to the ruleset's bypass list$`,
      ),
    );
  });
});

describe('other refusals by the server', () => {
  it('a protected lock branch (GH006): refused once', async () => {
    const repo = await world.repository();
    world.sandbox.setProtectedBranches(OWNER, repo, ['main', 'moved', LOCK]);
    expect(await refusedOnce(repo, 'cut-a')).toBe(
      `pushing refs/heads/${LOCK} was refused as a protected branch (GH006): set source.branch_prefix to a prefix outside the branch protection rules`,
    );
  });

  it('a custom pre-receive hook: refused once, with what the hook said', async () => {
    const repo = await world.repository();
    world.sandbox.setPreReceiveHook(OWNER, repo, {
      branches: ['bosh-release-pr/**'],
      message:
        'error: branch names must start with a JIRA key\nerror: see https://wiki.example.com/branches',
    });
    expect(await refusedOnce(repo, 'cut-a')).toBe(
      `pushing refs/heads/${LOCK} was declined by a pre-receive hook of ${new URL(world.sandbox.webUrl).host} (error: branch names must start with a JIRA key / error: see https://wiki.example.com/branches): do what the hook asks of branch ${LOCK}, or set source.branch_prefix to a prefix it accepts; its administrators know what it checks`,
    );
  });

  it('a token without the workflow scope, reclaiming a lock branch after the base changed its workflows: refused once', async () => {
    const repo = await abandonedLock();
    await world.sandbox.commitToBranch(OWNER, repo, 'main', {
      files: { '.github/workflows/ci.yml': 'on: push\n' },
      message: 'CI',
    });
    expect(await refusedOnce(repo, 'cut-b')).toBe(
      `pushing refs/heads/${LOCK} was refused: GitHub lets no token without the workflow scope move a branch across changes to .github/workflows/ (refusing to allow a Personal Access Token to create or update workflow \`.github/workflows/ci.yml\` without \`workflow\` scope), and the lock branch still holds a release on an older ${'base'} whose workflows have changed since: delete the branch ${LOCK} and re-run (and turn on "Automatically delete head branches" so that merged lock branches go), or give the token the workflow scope (fine-grained tokens and GitHub Apps: the Workflows permission, read and write)`,
    );
  });
});
