import { UserError } from '../../errors.js';
import type { Git } from '../../git/git.js';
import type { Comparison, GitHub } from '../../github/github.js';
import type { Logger } from '../../io/log.js';

// Each branch or tag besides the base costs one request; the checkout's own refs say which.
const MAX_OTHER_REFS = 3;

/** What a release's source commit is checked against. */
interface SourceCheck {
  github: GitHub;
  git: Git;
  log: Logger;
  checkout: string;
  /** Full sha of the commit the release was cut from. */
  sha: string;
  base: string;
  /** For messages: `example 3`. */
  label: string;
}

/**
 * Refuses a release cut from a commit that is on no branch or tag of the GitHub repository: its
 * PR would link to source nobody can review or trace. GitHub's compare answers for the base (one
 * request); only when the commit is not there, for the checkout's remote-tracking branches and
 * tags that hold it. A commit GitHub merely resolves (a PR's, a fork's) does not count.
 */
export async function verifySourceOnRemote(check: SourceCheck): Promise<void> {
  const { github, git, log, sha, base } = check;
  const onBase = await github.compareCommits(base, sha);
  log.debug(
    { base, sha, comparison: onBase?.status ?? 'unknown' },
    'source commit against the base',
  );
  if (holds(onBase)) return;
  // A 404 names no side: a base that does not exist fails the put later, with its own message.
  if (onBase === undefined && (await github.getBranchSha(base)) === undefined) return;
  const others = otherRefNames(await git.refsContaining(check.checkout, sha), base);
  for (const name of others) {
    if (holds(await github.compareCommits(name, sha))) {
      log.info(`${check.label} was cut from ${sha.slice(0, 7)} on ${name}, which ${base} lacks`);
      return;
    }
  }
  const repository = `${github.owner}/${github.repo}`;
  const short = sha.slice(0, 7);
  const where =
    onBase === undefined
      ? `which ${repository} does not have`
      : `which is on no branch or tag of ${repository} (not in the history of ${[base, ...others].join(', ')})`;
  throw new UserError(
    `${check.label} was cut from ${short}, ${where}: push the source first (git push origin ${short}:refs/heads/<branch>), then put again`,
  );
}

// `behind` or `identical`: the commit is in the history of the branch or tag compared against.
function holds(comparison: Comparison | undefined): boolean {
  return comparison?.status === 'behind' || comparison?.status === 'identical';
}

/** Branch names (refs/remotes/<remote>/<branch>) first, then tags, without the base. */
function otherRefNames(refs: readonly string[], base: string): string[] {
  const branches = refs
    .filter((ref) => ref.startsWith('refs/remotes/'))
    .map((ref) => ref.split('/').slice(3).join('/'));
  const tags = refs
    .filter((ref) => ref.startsWith('refs/tags/'))
    .map((ref) => ref.slice('refs/tags/'.length));
  return [...new Set([...branches, ...tags])]
    .filter((name) => name !== '' && name !== base)
    .slice(0, MAX_OTHER_REFS);
}
