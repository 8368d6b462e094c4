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
  /** The manifest's `uncommitted_changes`: cut from a dirty tree (`allow_uncommitted_changes`). */
  uncommittedChanges?: boolean;
  /** What check does with it once merged, when it is lower than the base's highest (backport.ts). */
  backport?: string | undefined;
}

/** The facts about an import PR: every final version so far, brought into git at once. */
export interface ImportSummary {
  name: string;
  /** The highest imported version: the version the PR stands for. */
  version: string;
  key: string;
  /** Full sha of the checkout's commit the metadata was synced into. */
  source: string;
  /** Every imported version, in BOSH order. */
  versions: readonly string[];
  /** The `.final_builds` indexes of the checkout, with their number of builds. */
  indexes: ReadonlyArray<{ path: string; builds: number }>;
  /** Builds the base tracked already (after a `.final_builds`-only migration). */
  keptBuilds: number;
  /** Index files rewritten in the CLI's canonical form. */
  rewritten: readonly string[];
}

/** What a PR from the lock branch delivers: one new release, or an import of every one so far. */
export type PullContent =
  { kind: 'release'; release: ReleaseSummary } | { kind: 'import'; imported: ImportSummary };

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
  if (release.uncommittedChanges === true) {
    lines.push(
      '> [!WARNING]',
      `> **Cut from a dirty working tree** (\`uncommitted_changes: true\`, accepted with \`params.allow_uncommitted_changes\`): its jobs and packages may hold changes that no commit has, so ${source} is not all of its source.`,
      '',
    );
  }
  if (release.backport !== undefined) {
    lines.push('> [!IMPORTANT]', `> **Backport:** ${release.backport}.`, '');
  }
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

// GitHub caps a PR body at 65,536 characters: a repository with hundreds of packages gets a
// shortened table (the versions line stays whole: a few thousand characters at most).
const MAX_INDEX_ROWS = 300;

/** Renders the body of an import PR: what it imports, and the same lock note and block. */
export function renderImportBody(
  options: Omit<BodyOptions, 'release'> & { imported: ImportSummary },
): string {
  const { imported, repositoryUrl, base } = options;
  const source = `[\`${imported.source.slice(0, 7)}\`](${repositoryUrl}/commit/${imported.source})`;
  const builds = imported.indexes.reduce((sum, index) => sum + index.builds, 0);
  const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const finalBuilds = `${count(imported.indexes.length, '`.final_builds` index', '`.final_builds` indexes')} with ${count(builds, 'build', 'builds')}`;
  const lines: string[] = [];
  if (options.intro !== undefined && options.intro.trim() !== '')
    lines.push(options.intro.trim(), '');
  lines.push(
    options.track === 'both'
      ? `Imports the existing final-release metadata of **${imported.name}** from the checkout at ${source}: ${count(imported.versions.length, 'final version', 'final versions')} and ${finalBuilds}.`
      : `Imports the \`.final_builds\` of **${imported.name}** from the checkout at ${source}: ${finalBuilds}, covering ${count(imported.versions.length, 'final version', 'final versions')}. \`releases/\` stays out of git (\`source.track: final_builds\`).`,
    '',
    `**Versions** (up to ${imported.version}): ${imported.versions.join(', ')}`,
    '',
  );
  if (imported.keptBuilds > 0) {
    lines.push(
      `${count(imported.keptBuilds, 'build is', 'builds are')} on \`${base}\` already, with the same digest: the base's entries are kept.`,
      '',
    );
  }
  if (imported.indexes.length > 0) {
    lines.push('| `.final_builds` index | builds |', '|---|---|');
    for (const index of imported.indexes.slice(0, MAX_INDEX_ROWS))
      lines.push(`| \`${escapeCell(index.path)}\` | ${index.builds} |`);
    if (imported.indexes.length > MAX_INDEX_ROWS)
      lines.push(`| … and ${imported.indexes.length - MAX_INDEX_ROWS} more | |`);
    lines.push('');
  }
  if (imported.rewritten.length > 0) {
    lines.push(
      `Rewritten in the bosh CLI's canonical format, with the same entries: ${imported.rewritten
        .slice(0, MAX_INDEX_ROWS)
        .map((path) => `\`${path}\``)
        .join(', ')}${imported.rewritten.length > MAX_INDEX_ROWS ? ', …' : ''}.`,
      '',
    );
  }
  if (options.buildUrl !== undefined) {
    lines.push(
      `Opened by [${options.buildLabel ?? 'a Concourse build'}](${options.buildUrl}).`,
      '',
    );
  }
  lines.push(
    `While this PR is open it is the release lock of \`${imported.name}\` on \`${base}\`: no final release of it is opened. Merge it to track the metadata in git from now on, or close it to give the lock up.`,
    '',
  );
  const block: PullBlock = {
    format: 1,
    release: imported.name,
    version: imported.version,
    key: imported.key,
    source: imported.source,
    track: options.track,
    import: true,
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
    (v.track === 'both' || v.track === 'final_builds') &&
    (v.import === undefined || v.import === true)
  );
}

function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.includes(':') ? digest.split(':', 2) : ['sha1', digest];
  return `${algorithm}:${(hex ?? '').slice(0, 12)}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
