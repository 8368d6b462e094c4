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

// GitHub's limits, in characters (code points): "body is too long (maximum is 65536 characters)"
// (https://github.com/renovatebot/renovate/issues/2032), "title is too long (maximum is 256
// characters)" (https://github.com/googleapis/repo-automation-bots/issues/1895). A body over the
// limit is a 422, so every re-run of a put would fail the same way, its lock branch pushed.
export const MAX_TITLE_CHARACTERS = 256;
export const MAX_BODY_CHARACTERS = 65_536;
/**
 * What a body keeps for the resource's own text (the summary, the link to the build, the lock
 * note, the machine-readable block, and the line saying how much a list left out): a user text
 * may fill the rest, and the lists of builds and indexes are shortened to what fits.
 */
export const RESERVED_BODY_CHARACTERS = 4_096;

/** Characters as GitHub counts them: Unicode code points. */
export function characters(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

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
  if (options.buildUrl !== undefined) {
    pieces.push(`Opened by [${options.buildLabel ?? 'a Concourse build'}](${options.buildUrl}).`);
  }
  pieces.push(
    `While this PR is open it is the release lock of \`${release.name}\` on \`${base}\`: no other final release of it is opened. Merge it to release ${release.version}, or close it to give the lock up.`,
  );
  const block: PullBlock = {
    format: 1,
    release: release.name,
    version: release.version,
    key: release.key,
    source: release.source,
    track: options.track,
  };
  pieces.push(`${BLOCK_START} ${JSON.stringify(block)} ${BLOCK_END}`);
  return fitBody(options.intro, pieces);
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
  if (options.buildUrl !== undefined) {
    pieces.push(`Opened by [${options.buildLabel ?? 'a Concourse build'}](${options.buildUrl}).`);
  }
  pieces.push(
    `While this PR is open it is the release lock of \`${imported.name}\` on \`${base}\`: no final release of it is opened. Merge it to track the metadata in git from now on, or close it to give the lock up.`,
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
  pieces.push(`${BLOCK_START} ${JSON.stringify(block)} ${BLOCK_END}`);
  return fitBody(options.intro, pieces);
}

/** A list in a body that may be cut short: the items that fit, then `more(left)`. */
interface Shortenable {
  head: string;
  items: readonly string[];
  separator: string;
  tail: string;
  more: (left: number) => string;
}

/** A paragraph of a body: fixed text, or a list that may be shortened. */
type Piece = string | Shortenable;

/**
 * The body: the user's text, then the pieces, one paragraph each — whole when that fits GitHub's
 * limit, else with each list (in order) keeping as many items as fit. renderPullText refuses a
 * user text longer than the limit less RESERVED_BODY_CHARACTERS; should the resource's own
 * text still leave no room (names and URLs of absurd length), the user text is cut short.
 */
function fitBody(intro: string | undefined, pieces: readonly Piece[]): string {
  const user = intro?.trim() ?? '';
  const render = (text: string, kept: readonly number[]): string => {
    let list = 0;
    const paragraphs = pieces.map((piece) => {
      if (typeof piece === 'string') return piece;
      const keep = kept[list++] ?? piece.items.length;
      const left = piece.items.length - keep;
      const shown = piece.items.slice(0, keep);
      if (left > 0) shown.push(piece.more(left));
      return `${piece.head}${shown.join(piece.separator)}${piece.tail}`;
    });
    return `${[...(text === '' ? [] : [text]), ...paragraphs].join('\n\n')}\n`;
  };
  const lists = pieces.filter((piece): piece is Shortenable => typeof piece !== 'string');
  const whole = render(user, []);
  if (characters(whole) <= MAX_BODY_CHARACTERS) return whole;

  const none = lists.map(() => 0);
  let text = user;
  const over = characters(render(text, none)) - MAX_BODY_CHARACTERS;
  if (over > 0) {
    const note = '\n\n*(shortened: a PR body holds at most 65,536 characters)*';
    text = `${Array.from(text)
      .slice(0, Math.max(0, characters(text) - over - characters(note)))
      .join('')}${note}`;
  }
  // Room for items, measured with every list empty (its "more" line then names the most).
  let room = MAX_BODY_CHARACTERS - characters(render(text, none));
  const kept = lists.map((list) => {
    let keep = 0;
    for (const item of list.items) {
      const cost = characters(item) + characters(list.separator);
      if (cost > room) break;
      room -= cost;
      keep++;
    }
    return keep;
  });
  return render(text, kept);
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
