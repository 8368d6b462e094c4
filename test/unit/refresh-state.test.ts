// What a refresh may do with the lock, decided from what GitHub says.
import { describe, expect, it } from '@jest/globals';
import type { CommitInfo, PullRequest } from '../../src/github/github.js';
import { decideRefresh, type RefreshObservation } from '../../src/rules/refresh-state.js';
import { formatCommitMessage } from '../../src/rules/release-commit.js';

const BOT = { name: 'bosh-release-pr', email: 'bosh-release-pr@users.noreply.github.com' };
const BASE = 'b'.repeat(40);

function releaseCommit(parent: string, author = BOT): CommitInfo {
  return {
    sha: 'c'.repeat(40),
    message: formatCommitMessage('Final release 3', { version: '3', key: 'k', source: 's' }),
    parents: [parent],
    date: '2026-01-01T00:00:00Z',
    author: { ...author, date: '2026-01-01T00:00:00Z' },
  };
}

const pull = { number: 7, baseRef: 'main', headSha: 'c'.repeat(40) } as PullRequest;

function observe(changes: Partial<RefreshObservation>): RefreshObservation {
  return {
    base: 'main',
    lockBranch: 'bosh-release-pr/main/example',
    branchSha: 'c'.repeat(40),
    baseSha: BASE,
    pulls: [pull],
    commits: [releaseCommit(BASE)],
    identity: BOT,
    ...changes,
  };
}

describe('decideRefresh', () => {
  it('finds nothing to refresh without a branch or an open PR', () => {
    expect(decideRefresh(observe({ branchSha: undefined })).kind).toBe('none');
    expect(decideRefresh(observe({ pulls: [] })).kind).toBe('none');
  });

  it('re-plans only a branch of one release commit whose base moved', () => {
    expect(decideRefresh(observe({})).kind).toBe('current');
    expect(decideRefresh(observe({ commits: [releaseCommit('a'.repeat(40))] })).kind).toBe(
      'behind',
    );
  });

  it('leaves a person’s commit, a retargeted PR, and a branch of several commits', () => {
    const alice = { name: 'alice', email: 'alice@example.com' };
    const person = decideRefresh(
      observe({ commits: [releaseCommit('a'.repeat(40)), releaseCommit(BASE, alice)] }),
    );
    expect(person).toMatchObject({
      kind: 'left',
      reason: expect.stringContaining('1 commit by alice'),
    });
    expect(decideRefresh(observe({ pulls: [{ ...pull, baseRef: 'release-1.x' }] }))).toMatchObject({
      kind: 'left',
      reason: expect.stringContaining('retargeted to release-1.x'),
    });
    const two = decideRefresh(observe({ commits: [releaseCommit(BASE), releaseCommit(BASE)] }));
    expect(two).toMatchObject({
      kind: 'left',
      reason: expect.stringContaining('2 release commits'),
    });
  });
});
