import type { SandboxContext } from './context.js';
import { commentCount } from './issues.js';
import type { PullRequest } from './pull-request.js';
import type { Repository } from './repositories.js';

export type PullSort = 'created' | 'updated' | 'popularity' | 'long-running';

/** What GET /repos/{owner}/{repo}/pulls asks for. */
interface PullFilter {
  /** `open`, `closed` or `all`. */
  state: string;
  /** `owner:branch`; without the owner GitHub ignores it. */
  head: string | null;
  base: string | null;
  sort: PullSort;
  direction: 'asc' | 'desc';
}

/** The pull requests the pulls list shows for `filter`, filtered and sorted like GitHub. */
export function listPulls(
  context: SandboxContext,
  repository: Repository,
  { state, head, base, sort, direction }: PullFilter,
): PullRequest[] {
  const now = context.clock.now().getTime();
  const month = 30 * 24 * 60 * 60 * 1000;

  // GitHub's list is served from an index that catches up with a new PR a little later (see
  // `pullListLagMs` in sandbox/README.md); GET /pulls/{n} and POST /pulls see it at once.
  const listedBy = Date.now();
  let pulls = [...repository.pulls.values()].filter((pull) => pull.listedFrom <= listedBy);
  if (state === 'open' || state === 'closed') pulls = pulls.filter((pull) => pull.state === state);
  // `head` must be `user:ref-name`; without the owner GitHub ignores the filter altogether
  // (https://github.com/hub4j/github-api/pull/538, https://github.com/PyGithub/PyGithub/issues/1566).
  if (head !== null && head.includes(':')) {
    const colon = head.indexOf(':');
    const owner = head.slice(0, colon).toLowerCase();
    const ref = head.slice(colon + 1);
    pulls = pulls.filter(
      (pull) =>
        owner === repository.owner.toLowerCase() &&
        pull.headRef === ref &&
        (context.headFilterMatchesDeletedBranches || !pull.headDeleted),
    );
  }
  if (base !== null) pulls = pulls.filter((pull) => pull.baseRef === base);
  if (sort === 'long-running') {
    // "…limit the results to pull requests that have been open for more than a month and have
    // had activity within the past month."
    pulls = pulls.filter(
      (pull) => now - pull.createdAt.getTime() > month && now - pull.updatedAt.getTime() <= month,
    );
  }
  const key = (pull: PullRequest): number => {
    if (sort === 'updated') return pull.updatedAt.getTime();
    if (sort === 'popularity') return commentCount(repository, pull);
    return pull.createdAt.getTime();
  };
  const sign = direction === 'asc' ? 1 : -1;
  return pulls.sort((a, b) => sign * (key(a) - key(b) || a.number - b.number));
}
