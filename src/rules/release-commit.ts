// The release commit: the one commit a put makes, whose message is a subject and git trailers
// that identify the release, the commit it was cut from and the build that made it. The lock and
// the version history read them back (docs/lock.md, "The release commit").
import type { CommitInfo } from '../github/github.js';

const TRAILER = {
  version: 'Bosh-Release-Version',
  source: 'Bosh-Release-Source',
  key: 'Bosh-Release-Key',
  build: 'Concourse-Build',
} as const;

export interface ReleaseTrailers {
  version?: string;
  source?: string;
  key?: string;
  build?: string;
}

/** Formats a release commit message: the subject, then the trailers (git interpret-trailers form). */
export function formatCommitMessage(subject: string, trailers: ReleaseTrailers): string {
  const lines = (Object.keys(TRAILER) as Array<keyof typeof TRAILER>)
    .filter((field) => trailers[field] !== undefined && trailers[field] !== '')
    .map((field) => `${TRAILER[field]}: ${trailers[field] ?? ''}`);
  return `${subject.trim()}\n\n${lines.join('\n')}\n`;
}

/** Reads the release trailers from the last paragraph of a commit message. */
export function parseCommitTrailers(message: string): ReleaseTrailers {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const last = paragraphs.length > 1 ? (paragraphs.at(-1) ?? '') : '';
  const found: ReleaseTrailers = {};
  for (const line of last.split('\n')) {
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line.trim());
    if (match === null) continue;
    for (const [field, name] of Object.entries(TRAILER) as Array<[keyof typeof TRAILER, string]>) {
      if (match[1]?.toLowerCase() === name.toLowerCase()) found[field] = match[2] ?? '';
    }
  }
  return found;
}

/** Whether a commit message carries the release trailers a put writes (a version and a key). */
export function isReleaseCommit(message: string): boolean {
  const trailers = parseCommitTrailers(message);
  return trailers.version !== undefined && trailers.key !== undefined;
}

/**
 * Whether a commit is one the resource made as it is configured now: a release commit authored
 * with the resource's git identity (source.git_author_*). The lock asks this, so that a person's
 * commit that copies the trailers does not pass for the resource's. The committer is not asked:
 * GitHub's "Update branch" (rebase) re-commits it, and it is still that release's commit.
 *
 * What a merged PR delivered asks only isReleaseCommit: a PR merged while the resource wrote
 * under an older git_author_* still delivered its release, and merged history is reviewed.
 */
export function isResourceCommit(
  commit: CommitInfo,
  identity: { name: string; email: string },
): boolean {
  const author = commit.author;
  return (
    isReleaseCommit(commit.message) &&
    author !== undefined &&
    author.name === identity.name &&
    author.email === identity.email
  );
}
