// GitHub's JSON as the steps see it (github.ts), and their filters as GitHub's query.
import type { CommitInfo, GitPerson, PullFilter, PullRequest } from './github.js';

interface RawCommit {
  sha: string;
  commit: {
    message: string;
    author: { name?: string; email?: string; date?: string } | null;
    committer: { name?: string; email?: string; date?: string } | null;
  };
  parents: Array<{ sha: string }>;
}

export function toPerson(
  raw: { name?: string; email?: string; date?: string } | null | undefined,
): GitPerson | undefined {
  if (raw === null || raw === undefined) return undefined;
  return { name: raw.name ?? '', email: raw.email ?? '', date: raw.date ?? '' };
}

export function toCommitInfo(raw: RawCommit): CommitInfo {
  return {
    sha: raw.sha,
    message: raw.commit.message,
    parents: raw.parents.map((parent) => parent.sha),
    date: raw.commit.committer?.date ?? '',
    author: toPerson(raw.commit.author),
    committer: toPerson(raw.commit.committer),
  };
}

export function pullQuery(filter: PullFilter) {
  return {
    head: filter.head,
    ...(filter.base === undefined ? {} : { base: filter.base }),
    state: filter.state,
    sort: filter.sort ?? 'created',
    direction: filter.direction ?? 'desc',
    per_page: filter.perPage ?? 30,
    page: filter.page ?? 1,
  };
}

interface RawPull {
  number: number;
  state: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  merged?: boolean;
  head: { ref: string; sha: string };
  base: { ref: string };
  html_url: string;
  title: string;
  body: string | null;
  created_at: string;
  updated_at: string;
  draft?: boolean;
}

export function toPullRequest(raw: RawPull): PullRequest {
  return {
    number: raw.number,
    state: raw.state === 'open' ? 'open' : 'closed',
    merged: raw.merged ?? raw.merged_at !== null,
    mergedAt: raw.merged_at ?? undefined,
    mergeCommitSha: raw.merge_commit_sha ?? undefined,
    headRef: raw.head.ref,
    headSha: raw.head.sha,
    baseRef: raw.base.ref,
    htmlUrl: raw.html_url,
    title: raw.title,
    body: raw.body ?? '',
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    draft: raw.draft ?? false,
  };
}
