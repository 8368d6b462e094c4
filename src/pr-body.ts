// The release PR's body: a table for the humans who review it, a link to the build that opened
// it, and a machine-readable block that check reads instead of fetching every merge commit.

export interface BuildRow {
  kind: 'job' | 'package' | 'license';
  name: string;
  fingerprint: string;
  sha1: string;
}

export interface ReleaseSummary {
  name: string;
  version: string;
  key: string;
  /** Full sha of the commit the release was cut from. */
  source: string;
  newBuilds: readonly BuildRow[];
  /** Manifest counts, for the summary line. */
  jobs: number;
  packages: number;
}

/** The machine-readable facts a release PR carries; `format` versions the block itself. */
export interface PullBlock {
  format: 1;
  release: string;
  version: string;
  key: string;
  source: string;
  /** With `source.track: final_builds`, what the PR commits. */
  track: 'both' | 'final_builds';
}

const BLOCK_START = '<!-- bosh-release-pr:';
const BLOCK_END = '-->';

export interface BodyOptions {
  release: ReleaseSummary;
  repositoryUrl: string;
  base: string;
  buildUrl: string | undefined;
  buildLabel: string | undefined;
  track: 'both' | 'final_builds';
  /** The user's own text (params.body / body_file), rendered, shown first. */
  intro: string | undefined;
}

/** Renders the PR body. */
export function renderPullBody(options: BodyOptions): string {
  const { release, repositoryUrl, base } = options;
  const source = `[\`${release.source.slice(0, 7)}\`](${repositoryUrl}/commit/${release.source})`;
  const lines: string[] = [];
  if (options.intro !== undefined && options.intro.trim() !== '')
    lines.push(options.intro.trim(), '');
  lines.push(
    `Final release **${release.name} ${release.version}**, cut from ${source}: ${release.jobs} jobs, ${release.packages} packages, ${release.newBuilds.length} new ${release.newBuilds.length === 1 ? 'build' : 'builds'}.`,
    '',
  );
  if (release.newBuilds.length > 0) {
    lines.push('| | name | fingerprint | digest |', '|---|---|---|---|');
    for (const build of release.newBuilds) {
      lines.push(
        `| ${build.kind} | ${escapeCell(build.name)} | \`${build.fingerprint.slice(0, 12)}\` | \`${escapeCell(shortDigest(build.sha1))}\` |`,
      );
    }
    lines.push('');
  }
  if (options.buildUrl !== undefined) {
    lines.push(
      `Opened by [${options.buildLabel ?? 'a Concourse build'}](${options.buildUrl}).`,
      '',
    );
  }
  lines.push(
    `While this PR is open it is the release lock of \`${release.name}\` on \`${base}\`: no other final release of it is opened. Merge it to release ${release.version}, or close it to give the lock up.`,
    '',
  );
  const block: PullBlock = {
    format: 1,
    release: release.name,
    version: release.version,
    key: release.key,
    source: release.source,
    track: options.track,
  };
  lines.push(`${BLOCK_START} ${JSON.stringify(block)} ${BLOCK_END}`);
  return `${lines.join('\n')}\n`;
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
    (v.track === 'both' || v.track === 'final_builds')
  );
}

function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.includes(':') ? digest.split(':', 2) : ['sha1', digest];
  return `${algorithm}:${(hex ?? '').slice(0, 12)}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
