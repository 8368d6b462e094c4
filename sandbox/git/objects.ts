/** Who made a commit, and when. */
export interface GitIdentity {
  name: string;
  email: string;
  date: Date;
}

/** A commit object, parsed. */
export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
}

/** One entry of a tree, as `ls-tree --long` prints it. */
export interface TreeEntry {
  /** `100644`, `100755`, `120000` (symlink), `040000` (tree), `160000` (submodule). */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Bytes, for blobs. */
  size: number | null;
  /** As ls-tree prints it: the name, or the path when a path was asked for. */
  path: string;
}

/** One changed file of a diff: its status letter (`A`, `D`, `M`…) and lines added and removed. */
export interface DiffFile {
  path: string;
  status: string | undefined;
  additions: number;
  deletions: number;
}

/** git's `<seconds> +0000` form of a date. */
function gitDate(date: Date): string {
  return `${Math.floor(date.getTime() / 1000)} +0000`;
}

/** The environment that makes git write `author` and `committer` into a commit. */
export function identityEnv(author: GitIdentity, committer: GitIdentity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: gitDate(author.date),
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: gitDate(committer.date),
  };
}

function parseIdentity(line: string): GitIdentity {
  const match = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (match === null) throw new Error(`unparseable git identity: ${line}`);
  return { name: match[1] ?? '', email: match[2] ?? '', date: new Date(Number(match[3]) * 1000) };
}

/** A commit object's text (`cat-file commit`) as a `CommitInfo`. */
export function parseCommit(sha: string, raw: string): CommitInfo {
  const split = raw.indexOf('\n\n');
  const header = split === -1 ? raw : raw.slice(0, split);
  const message = split === -1 ? '' : raw.slice(split + 2);
  let tree = '';
  const parents: string[] = [];
  let author: GitIdentity | undefined;
  let committer: GitIdentity | undefined;
  for (const line of header.split('\n')) {
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'author') author = parseIdentity(value);
    else if (key === 'committer') committer = parseIdentity(value);
  }
  if (author === undefined || committer === undefined) {
    throw new Error(`commit ${sha} has no author or committer`);
  }
  return { sha, tree, parents, author, committer, message };
}

/** `ls-tree -z --long` output: `<mode> <type> <sha> <size>\t<path>\0` per entry. */
export function parseTreeEntries(output: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.toString('utf8').split('\0')) {
    const match = /^(\d+) (blob|tree|commit) ([0-9a-f]+) +(\S+)\t(.*)$/s.exec(record);
    if (match === null) continue;
    const [, mode = '', type = 'blob', sha = '', size = '-', path = ''] = match;
    entries.push({
      mode,
      type: type as TreeEntry['type'],
      sha,
      size: size === '-' ? null : Number(size),
      path,
    });
  }
  return entries;
}

/** `diff --numstat` output: `<added>\t<removed>\t<path>` per file (`-` for binary files). */
export function parseNumstat(output: string): Omit<DiffFile, 'status'>[] {
  const files: Omit<DiffFile, 'status'>[] = [];
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const [added = '0', removed = '0', path = ''] = line.split('\t');
    files.push({ path, additions: Number(added) || 0, deletions: Number(removed) || 0 });
  }
  return files;
}
