// The release PR's body: a summary and a table for the humans who review it, a link to the
// build that opened it, the lock note, and the machine-readable block (pull-block.ts), fitted to
// GitHub's limit (body-fit.ts).
import { fitBody, type Piece } from './body-fit.js';
import { formatPullBlock, type PullBlock } from './pull-block.js';

interface BuildRow {
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

interface BodyOptions {
  release: ReleaseSummary;
  repositoryUrl: string;
  base: string;
  buildUrl: string | undefined;
  buildLabel: string | undefined;
  track: 'both' | 'final_builds';
  /** The user's own text (params.body / body_file), rendered, shown first. */
  intro: string | undefined;
}

/** Renders the PR body, within GitHub's limit: the table of builds says how many it left out. */
export function renderPullBody(options: BodyOptions): string {
  const { release, repositoryUrl, base } = options;
  const source = `[\`${release.source.slice(0, 7)}\`](${repositoryUrl}/commit/${release.source})`;
  const count = release.newBuilds.length;
  const pieces: Piece[] = [
    `Final release **${release.name} ${release.version}**, cut from ${source}: ${release.jobs} jobs, ${release.packages} packages, ${count} new ${count === 1 ? 'build' : 'builds'}.`,
  ];
  if (release.uncommittedChanges === true) {
    pieces.push(
      `> [!WARNING]\n> **Cut from a dirty working tree** (\`uncommitted_changes: true\`, accepted with \`params.allow_uncommitted_changes\`): its jobs and packages may hold changes that no commit has, so ${source} is not all of its source.`,
    );
  }
  if (release.backport !== undefined) {
    pieces.push(`> [!IMPORTANT]\n> **Backport:** ${release.backport}.`);
  }
  if (count > 0) {
    pieces.push({
      head: '| | name | fingerprint | digest |\n|---|---|---|---|\n',
      items: release.newBuilds.map(
        (build) =>
          `| ${build.kind} | ${escapeCell(build.name)} | \`${build.fingerprint.slice(0, 12)}\` | \`${escapeCell(shortDigest(build.sha1))}\` |`,
      ),
      separator: '\n',
      tail: '',
      more: (left) =>
        `| … | ${left} more ${left === 1 ? 'build' : 'builds'}, not listed: a PR body holds at most 65,536 characters | | |`,
    });
  }
  return closeBody(
    options,
    pieces,
    `While this PR is open it is the release lock of \`${release.name}\` on \`${base}\`: no other final release of it is opened. Merge it to release ${release.version}, or close it to give the lock up.`,
    blockOf(release, options.track),
  );
}

/** Renders the body of an import PR: what it imports, and the same lock note and block. */
export function renderImportBody(
  options: Omit<BodyOptions, 'release'> & { imported: ImportSummary },
): string {
  const { imported, repositoryUrl, base } = options;
  const source = `[\`${imported.source.slice(0, 7)}\`](${repositoryUrl}/commit/${imported.source})`;
  const builds = imported.indexes.reduce((sum, index) => sum + index.builds, 0);
  const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const finalBuilds = `${count(imported.indexes.length, '`.final_builds` index', '`.final_builds` indexes')} with ${count(builds, 'build', 'builds')}`;
  const more = (left: number) => `… and ${left} more`;
  const pieces: Piece[] = [
    options.track === 'both'
      ? `Imports the existing final-release metadata of **${imported.name}** from the checkout at ${source}: ${count(imported.versions.length, 'final version', 'final versions')} and ${finalBuilds}.`
      : `Imports the \`.final_builds\` of **${imported.name}** from the checkout at ${source}: ${finalBuilds}, covering ${count(imported.versions.length, 'final version', 'final versions')}. \`releases/\` stays out of git (\`source.track: final_builds\`).`,
    {
      head: `**Versions** (up to ${imported.version}): `,
      items: imported.versions,
      separator: ', ',
      tail: '',
      more,
    },
  ];
  if (imported.keptBuilds > 0) {
    pieces.push(
      `${count(imported.keptBuilds, 'build is', 'builds are')} on \`${base}\` already, with the same digest: the base's entries are kept.`,
    );
  }
  if (imported.indexes.length > 0) {
    pieces.push({
      head: '| `.final_builds` index | builds |\n|---|---|\n',
      items: imported.indexes.map((index) => `| \`${escapeCell(index.path)}\` | ${index.builds} |`),
      separator: '\n',
      tail: '',
      more: (left) => `| ${more(left)} | |`,
    });
  }
  if (imported.rewritten.length > 0) {
    pieces.push({
      head: "Rewritten in the bosh CLI's canonical format, with the same entries: ",
      items: imported.rewritten.map((path) => `\`${path}\``),
      separator: ', ',
      tail: '.',
      more,
    });
  }
  return closeBody(
    options,
    pieces,
    `While this PR is open it is the release lock of \`${imported.name}\` on \`${base}\`: no final release of it is opened. Merge it to track the metadata in git from now on, or close it to give the lock up.`,
    { ...blockOf(imported, options.track), import: true },
  );
}

type BlockSubject = Pick<PullBlock, 'version' | 'key' | 'source'> & { name: string };

function blockOf(subject: BlockSubject, track: PullBlock['track']): PullBlock {
  const { name, version, key, source } = subject;
  return { format: 1, release: name, version, key, source, track };
}

/** The end both bodies share: the build that opened the PR, the lock note, the block; fitted. */
function closeBody(
  options: Omit<BodyOptions, 'release'>,
  pieces: Piece[],
  lockNote: string,
  block: PullBlock,
): string {
  if (options.buildUrl !== undefined) {
    pieces.push(`Opened by [${options.buildLabel ?? 'a Concourse build'}](${options.buildUrl}).`);
  }
  pieces.push(lockNote, formatPullBlock(block));
  return fitBody(options.intro, pieces);
}

function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.includes(':') ? digest.split(':', 2) : ['sha1', digest];
  return `${algorithm}:${(hex ?? '').slice(0, 12)}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
