import { describe, expect, it } from '@jest/globals';
import type { CommitInfo, PullRequest } from '../../src/github/github.js';
import { decideLockState, type LockObservation } from '../../src/rules/lock-state.js';
import {
  formatCommitMessage,
  isResourceCommit,
  parseCommitTrailers,
} from '../../src/rules/release-commit.js';

const SHA = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const now = new Date('2026-06-01T12:00:00Z');
const BOT = { name: 'bosh-release-pr', email: 'bosh-release-pr@users.noreply.github.com' };

function pull(overrides: Partial<PullRequest>): PullRequest {
  return {
    number: 7,
    state: 'open',
    merged: false,
    mergedAt: undefined,
    mergeCommitSha: undefined,
    headRef: 'bosh-release-pr/main/example',
    headSha: SHA,
    baseRef: 'main',
    htmlUrl: 'https://github.com/acme/example-release/pull/7',
    title: 'Final release 3',
    body: '',
    createdAt: '2026-06-01T10:00:00Z',
    updatedAt: '2026-06-01T10:00:00Z',
    draft: false,
    ...overrides,
  };
}

function releaseCommit(sha: string, minutesOld: number, key = 'their-key'): CommitInfo {
  const date = new Date(now.getTime() - minutesOld * 60_000).toISOString();
  return {
    sha,
    message: formatCommitMessage('Final release 3', {
      version: '3',
      source: OLD,
      key,
      build: 'https://ci.example.com/builds/1',
    }),
    date,
    parents: [OLD],
    author: { ...BOT, date },
    committer: { ...BOT, date },
  };
}

function humanCommit(sha: string, parent: string): CommitInfo {
  const date = now.toISOString();
  const alice = { name: 'alice', email: '1+alice@users.noreply.github.com', date };
  return { sha, message: 'fix-up', date, parents: [parent], author: alice, committer: alice };
}

function observe(key: string, pulls: PullRequest[], minutesOld = 5): LockObservation {
  return {
    branchSha: SHA,
    commits: [releaseCommit(SHA, minutesOld)],
    pulls,
    key,
    identity: BOT,
    now,
    staleLockAfterMs: 30 * 60_000,
  };
}

/** The release commit OLD with a person's commit SHA on top of it. */
function withHumanOnTop(key: string, pulls: PullRequest[]): LockObservation {
  return {
    ...observe(key, pulls),
    commits: [releaseCommit(OLD, 5), humanCommit(SHA, OLD)],
  };
}

const block = (key: string) =>
  `<!-- bosh-release-pr: {"format":1,"release":"example","version":"3","key":"${key}","source":"${OLD}","track":"both"} -->`;

describe('decideLockState', () => {
  it('is FREE without a lock branch', () => {
    expect(decideLockState({ ...observe('k', []), branchSha: undefined, commits: [] }).kind).toBe(
      'free',
    );
  });

  it.each([
    ['an open PR with our key', 'their-key', [pull({})], 'ours'],
    ['an open PR with another key', 'mine', [pull({})], 'held'],
    ['an open PR showing an older head sha', 'mine', [pull({ headSha: OLD })], 'held'],
    ['an open PR retargeted to another base', 'mine', [pull({ baseRef: 'moved' })], 'held'],
    [
      'an open PR whose text names our release on another put’s commit',
      'mine',
      [pull({ body: block('mine') })],
      'contested',
    ],
    ['its PR merged', 'mine', [pull({ state: 'closed', merged: true })], 'merged'],
    ['our PR merged', 'their-key', [pull({ state: 'closed', merged: true })], 'delivered'],
    ['its PR closed unmerged', 'mine', [pull({ state: 'closed' })], 'abandoned'],
    ['our PR closed unmerged', 'their-key', [pull({ state: 'closed' })], 'abandoned'],
    ['no PR, our commit', 'their-key', [], 'ours'],
    ['no PR, another commit', 'mine', [], 'orphan'],
    [
      'only a merged PR of an older commit',
      'mine',
      [pull({ state: 'closed', merged: true, headSha: OLD })],
      'orphan',
    ],
  ])('reads %s', (_what, key, pulls, kind) => {
    expect(decideLockState(observe(key, pulls)).kind).toBe(kind);
  });

  it.each([
    ['our open PR', 'their-key', [pull({})], 'ours'],
    ['another release’s open PR', 'mine', [pull({})], 'held'],
    ['our release, no PR yet', 'their-key', [], 'ours'],
    ['a merged PR at the head', 'mine', [pull({ state: 'closed', merged: true })], 'merged'],
    ['a PR closed unmerged', 'their-key', [pull({ state: 'closed' })], 'foreign'],
    ['no PR, another release', 'mine', [], 'foreign'],
  ])('with a person’s commit on top of the release commit, reads %s', (_what, key, pulls, kind) => {
    const state = decideLockState(withHumanOnTop(key, pulls));
    expect(state.kind).toBe(kind);
    if ('owner' in state) expect(state.owner?.sha).toBe(OLD);
  });

  it('does not take a commit with copied trailers but a person’s identity for the resource’s', () => {
    const forged = { ...releaseCommit(SHA, 5, 'mine'), ...humanCommit(SHA, OLD) };
    forged.message = releaseCommit(SHA, 5, 'mine').message;
    expect(isResourceCommit(forged, BOT)).toBe(false);
    expect(decideLockState({ ...observe('mine', []), commits: [forged] }).kind).toBe('foreign');
  });

  it('judges the newest closed PR of the commit', () => {
    const older = pull({
      number: 3,
      state: 'closed',
      merged: true,
      createdAt: '2026-05-01T00:00:00Z',
    });
    const newer = pull({ number: 9, state: 'closed', createdAt: '2026-05-02T00:00:00Z' });
    const state = decideLockState(observe('mine', [older, newer]));
    expect(state).toMatchObject({ kind: 'abandoned', pull: { number: 9 } });
  });

  it('names the owner and tells a stale orphan from a fresh one', () => {
    const fresh = decideLockState(observe('mine', [], 10));
    const stale = decideLockState(observe('mine', [], 45));
    expect(fresh).toMatchObject({ kind: 'orphan', stale: false, ageMs: 600_000 });
    expect(stale).toMatchObject({
      kind: 'orphan',
      stale: true,
      owner: { version: '3', key: 'their-key', build: 'https://ci.example.com/builds/1' },
    });
  });
});

describe('release commit trailers', () => {
  it('round-trips and skips empty trailers', () => {
    const message = formatCommitMessage('Final release 1.4.38', {
      version: '1.4.38',
      source: OLD,
      key: 'k1',
      build: '',
    });
    expect(message).toBe(
      `Final release 1.4.38\n\nBosh-Release-Version: 1.4.38\nBosh-Release-Source: ${OLD}\nBosh-Release-Key: k1\n`,
    );
    expect(parseCommitTrailers(message)).toEqual({ version: '1.4.38', source: OLD, key: 'k1' });
  });

  it('reads nothing from a message without trailers', () => {
    expect(parseCommitTrailers('Bosh-Release-Key: in the subject only')).toEqual({});
  });
});
