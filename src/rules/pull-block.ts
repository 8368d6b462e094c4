// The machine-readable block at the end of a release PR's body. It is a hint, as the body is the
// reviewers' to edit: versions come from what a merge brought to the base (history/merge-facts.ts).
// A put reads it to tell its own PR by the release's key; check, to warn where a body and a merge
// disagree.

/** The machine-readable facts a release PR carries; `format` versions the block itself. */
export interface PullBlock {
  format: 1;
  release: string;
  /** For an import, the highest imported version. */
  version: string;
  key: string;
  source: string;
  /** With `source.track: final_builds`, what the PR commits. */
  track: 'both' | 'final_builds';
  /** Present on an import PR. */
  import?: true;
}

const BLOCK_START = '<!-- bosh-release-pr:';
const BLOCK_END = '-->';

/** The block as it ends a body: an HTML comment, invisible on GitHub. */
export function formatPullBlock(block: PullBlock): string {
  return `${BLOCK_START} ${JSON.stringify(block)} ${BLOCK_END}`;
}

/** Reads the machine-readable block of a release PR body, or undefined when there is none. */
export function parsePullBlock(body: string): PullBlock | undefined {
  const start = body.lastIndexOf(BLOCK_START);
  if (start < 0) return undefined;
  const end = body.indexOf(BLOCK_END, start);
  if (end < 0) return undefined;
  try {
    const value: unknown = JSON.parse(body.slice(start + BLOCK_START.length, end));
    if (!isPullBlock(value)) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

function isPullBlock(value: unknown): value is PullBlock {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.format === 1 &&
    typeof v.release === 'string' &&
    typeof v.version === 'string' &&
    typeof v.key === 'string' &&
    typeof v.source === 'string' &&
    (v.track === 'both' || v.track === 'final_builds') &&
    (v.import === undefined || v.import === true)
  );
}
