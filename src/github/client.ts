import { UserError } from '../errors.js';
import type { Credential } from './credential.js';
import { pullQuery, toCommitInfo, toPerson, toPullRequest } from './convert.js';
import { isPermissionRefusal, statusOf, toGitHubError } from './failures.js';
import type { CommitInfo, Conditional, GitHub } from './github.js';
import { createOctokit, type TransportOptions } from './octokit.js';

/** What the real client is built from. */
interface GitHubOptions extends TransportOptions {
  /** A token's credential, or a GitHub App's whose tokens change (app-credential.ts). */
  credential: Credential;
  owner: string;
  repo: string;
}

// GET /pulls/{n}/commits "lists a maximum of 250 commits": three pages of 100.
const PULL_COMMIT_PAGES = 3;

/** The real GitHub REST client: the adapter from Octokit to the GitHub interface. */
export function createGitHub(options: GitHubOptions): GitHub {
  const { owner, repo, credential } = options;
  const octokit = createOctokit(options);
  const context = { slug: `${owner}/${repo}`, credentialFields: credential.fields };
  // Writes that may have taken effect are resolved by reading state, never re-sent blindly.
  const once = { request: { retries: 0 } };
  // A 304 arrives as an error with that status.
  const conditional = (etag: string | undefined) =>
    etag === undefined ? {} : { 'if-none-match': etag };

  async function call<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw toGitHubError(what, error, context);
    }
  }

  /** `action`'s answer, or `absent` when GitHub answers 304 (or 404, if given). */
  async function answer<T, A>(
    what: string,
    action: () => Promise<T>,
    absent: { notModified: A; notFound?: A },
  ): Promise<T | A> {
    try {
      return await action();
    } catch (error) {
      const status = statusOf(error);
      if (status === 304) return absent.notModified;
      if (status === 404 && 'notFound' in absent) return absent.notFound as A;
      throw toGitHubError(what, error, context);
    }
  }

  return {
    owner,
    repo,

    async getRepositoryConditional(etag) {
      try {
        const response = await octokit.rest.repos.get({ owner, repo, headers: conditional(etag) });
        return {
          modified: true,
          value: { defaultBranch: response.data.default_branch },
          etag: response.headers.etag,
        };
      } catch (error) {
        if (statusOf(error) === 304) return { modified: false };
        if (statusOf(error) === 404) {
          throw new UserError(
            `repository ${context.slug} was not found, or the token cannot see it: check source.repository and the token's access`,
          );
        }
        throw toGitHubError('reading the repository', error, context);
      }
    },

    async lastCommitTouching(path, ref) {
      const { data } = await call(`reading the history of ${path}`, () =>
        octokit.rest.repos.listCommits({ owner, repo, sha: ref, path, per_page: 1 }),
      );
      const [commit] = data;
      return commit === undefined ? undefined : toCommitInfo(commit);
    },

    async getBranchSha(branch) {
      const response = await answer(
        `reading branch ${branch}`,
        () => octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` }),
        { notModified: undefined, notFound: undefined },
      );
      const data = response?.data;
      // getRef answers a prefix match with an array on some servers; only an exact ref counts.
      return data !== undefined && !Array.isArray(data) && data.ref === `refs/heads/${branch}`
        ? data.object.sha
        : undefined;
    },

    async hasTagConditional(name, etag) {
      const response = await answer(
        `looking for tag ${name}`,
        () =>
          octokit.rest.git.listMatchingRefs({
            owner,
            repo,
            ref: `tags/${name}`,
            headers: conditional(etag),
          }),
        { notModified: undefined },
      );
      if (response === undefined) return { modified: false };
      return {
        modified: true,
        value: response.data.some((ref) => ref.ref === `refs/tags/${name}`),
        etag: response.headers.etag,
      };
    },

    async getCommit(sha) {
      const { data } = await call(`reading commit ${sha}`, () =>
        octokit.rest.git.getCommit({ owner, repo, commit_sha: sha }),
      );
      return {
        sha: data.sha,
        message: data.message,
        parents: data.parents.map((parent) => parent.sha),
        date: data.committer.date,
        author: toPerson(data.author),
        committer: toPerson(data.committer),
      };
    },

    async listPulls(filter) {
      const { data } = await call('listing pull requests', () =>
        octokit.rest.pulls.list({ owner, repo, ...pullQuery(filter) }),
      );
      return data.map(toPullRequest);
    },

    async listPullsConditional(filter, etag) {
      const response = await answer(
        'listing pull requests',
        () =>
          octokit.rest.pulls.list({
            owner,
            repo,
            ...pullQuery(filter),
            headers: conditional(etag),
          }),
        { notModified: undefined },
      );
      if (response === undefined) return { modified: false };
      return {
        modified: true,
        value: {
          pulls: response.data.map(toPullRequest),
          hasNextPage: /rel="next"/.test(response.headers.link ?? ''),
        },
        etag: response.headers.etag,
      };
    },

    async getFileConditional(path, ref, etag): Promise<Conditional<string | undefined>> {
      const response = await answer(
        `reading ${path} on ${ref}`,
        () => octokit.rest.repos.getContent({ owner, repo, path, ref, headers: conditional(etag) }),
        { notModified: 'not-modified' as const, notFound: 'not-found' as const },
      );
      if (response === 'not-modified') return { modified: false };
      if (response === 'not-found') return { modified: true, value: undefined, etag: undefined };
      const data = response.data;
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
        throw new UserError(`${path} on ${ref} is not a file`);
      }
      return {
        modified: true,
        value: Buffer.from(data.content, 'base64').toString('utf8'),
        etag: response.headers.etag,
      };
    },

    async getPull(number) {
      const { data } = await call(`reading pull request #${number}`, () =>
        octokit.rest.pulls.get({ owner, repo, pull_number: number }),
      );
      return toPullRequest(data);
    },

    async listPullCommits(number) {
      const commits: CommitInfo[] = [];
      for (let page = 1; page <= PULL_COMMIT_PAGES; page++) {
        const { data } = await call(`reading the commits of pull request #${number}`, () =>
          octokit.rest.pulls.listCommits({ owner, repo, pull_number: number, per_page: 100, page }),
        );
        commits.push(...data.map(toCommitInfo));
        if (data.length < 100) break;
      }
      return commits;
    },

    async compareCommits(base, head) {
      const response = await answer(
        `comparing ${base}...${head}`,
        () =>
          octokit.rest.repos.compareCommitsWithBasehead({
            owner,
            repo,
            basehead: `${base}...${head}`,
          }),
        { notModified: undefined, notFound: undefined },
      );
      if (response === undefined) return undefined;
      const { data } = response;
      return {
        status: data.status,
        aheadBy: data.ahead_by,
        behindBy: data.behind_by,
        commits: data.commits.map(toCommitInfo),
        files: (data.files ?? []).map((file) => ({
          filename: file.filename,
          status: file.status,
          additions: file.additions,
          deletions: file.deletions,
        })),
      };
    },

    async createPull({ head, base, title, body, draft }) {
      const { data } = await call(`opening a pull request from ${head} into ${base}`, () =>
        octokit.rest.pulls.create({ owner, repo, head, base, title, body, draft, ...once }),
      );
      return toPullRequest(data);
    },

    async updatePull(number, { title, body }) {
      const { data } = await call(`updating pull request #${number}`, () =>
        octokit.rest.pulls.update({ owner, repo, pull_number: number, title, body, ...once }),
      );
      return toPullRequest(data);
    },

    async addLabels(number, labels) {
      if (labels.length === 0) return;
      await call(`labelling pull request #${number}`, () =>
        octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels, ...once }),
      );
    },

    async requestReviewers(number, reviewers, teamReviewers) {
      if (reviewers.length === 0 && teamReviewers.length === 0) return;
      await call(`requesting reviewers on pull request #${number}`, () =>
        octokit.rest.pulls.requestReviewers({
          owner,
          repo,
          pull_number: number,
          reviewers,
          team_reviewers: teamReviewers,
          ...once,
        }),
      );
    },

    async addAssignees(number, assignees) {
      if (assignees.length === 0) return;
      await call(`assigning pull request #${number}`, () =>
        octokit.rest.issues.addAssignees({ owner, repo, issue_number: number, assignees, ...once }),
      );
    },

    async setCommitStatus(sha, status) {
      const what = `setting the commit status ${status.context} on ${sha.slice(0, 7)}`;
      try {
        await octokit.rest.repos.createCommitStatus({
          owner,
          repo,
          sha,
          state: status.state,
          context: status.context,
          description: status.description,
          ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
        });
      } catch (error) {
        if (!isPermissionRefusal(error)) throw toGitHubError(what, error, context);
        throw new UserError(
          `GitHub forbade ${what} in ${context.slug} (403): give the token "Commit statuses: read and write" (a GitHub App: the Commit statuses permission; a classic token: the repo:status scope)`,
        );
      }
    },
  };
}
