/**
 * Where each of GitHub's id sequences starts in a sandbox. The ranges are apart, so that an id
 * of one kind never passes for another in a test's assertion.
 */
const FIRST = {
  /** Users, organizations and teams share one sequence. */
  account: 1001,
  repository: 100_001,
  app: 301,
  installation: 70_001,
  /** `token-1`, `token-2`…: what the request log shows instead of a token. */
  token: 1,
  /** A pull request takes two: its own id and its issue's. */
  pull: 9_000_001,
  label: 7_000_001,
  comment: 5_000_001,
  status: 3_000_001,
  /** Names a push's scratch files. */
  push: 1,
};

type IdKind = keyof typeof FIRST;

/** The sandbox's id sequences: each sandbox counts on its own, from the same starting points. */
export class Ids {
  private readonly next: Record<IdKind, number> = { ...FIRST };

  /** The next id of this kind. */
  take(kind: IdKind): number {
    return this.next[kind]++;
  }
}
