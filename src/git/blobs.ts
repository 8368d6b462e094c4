// Blobs in a repository the git seam made: listed at a commit, read in one batch, written in one
// process. Every command through the one runner.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { FILE_CONCURRENCY, mapConcurrent } from '../io/concurrency.js';
import { succeeded, type GitRunner } from './runner.js';

async function text(run: GitRunner, dir: string, args: readonly string[]): Promise<string> {
  return succeeded(await run(dir, args), `git ${args[0] ?? ''}`);
}

// `git ls-tree` of `paths` at `commit`: the blobs `select` keeps, a symbolic link refused.
export async function listBlobs(
  run: GitRunner,
  dir: string,
  commit: string,
  files: { paths: readonly string[]; select: (path: string) => boolean },
): Promise<Array<{ sha: string; path: string }>> {
  const listing = await text(run, dir, [
    'ls-tree',
    '-r',
    '-z',
    '--full-tree',
    commit,
    '--',
    ...files.paths,
  ]);
  const blobs: Array<{ sha: string; path: string }> = [];
  for (const line of listing.split('\0')) {
    const match = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(line);
    if (match === null) continue;
    const [, mode, type, sha = '', path = ''] = match;
    if (mode === '120000') {
      throw new UserError(
        `${path} is a symbolic link at ${commit.slice(0, 7)}: release metadata must be regular files`,
      );
    }
    if (type === 'blob' && files.select(path)) blobs.push({ sha, path });
  }
  return blobs;
}

// One `git cat-file --batch` for all blobs (fed on stdin through the runner):
// `<sha> blob <size>\n<content>\n` per blob.
export async function readBlobs(
  run: GitRunner,
  dir: string,
  shas: readonly string[],
): Promise<string[]> {
  if (shas.length === 0) return [];
  const output = await run(dir, ['cat-file', '--batch'], { input: `${shas.join('\n')}\n` });
  succeeded(output, 'git cat-file');
  const out = output.stdout;
  const contents: string[] = [];
  let offset = 0;
  for (let i = 0; i < shas.length; i++) {
    const headerEnd = out.indexOf(10, offset);
    const size = Number(out.subarray(offset, headerEnd).toString().split(' ')[2]);
    contents.push(out.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
    offset = headerEnd + 1 + size + 1;
  }
  return contents;
}

/**
 * Writes each text as a blob into the repository; returns their shas, in order. One
 * `git hash-object` over files in `scratch`, not one process per file (a release commits ~50).
 * --no-filters: the content is stored as is, whatever .gitattributes say.
 */
export async function writeBlobs(
  run: GitRunner,
  dir: string,
  scratch: string,
  texts: readonly string[],
): Promise<string[]> {
  if (texts.length === 0) return [];
  const paths = texts.map((_, i) => join(scratch, `blob-${i}`));
  await mapConcurrent(texts, FILE_CONCURRENCY, (content, i) => writeFile(paths[i] ?? '', content));
  // Stored uncompressed: loose objects live only until the push packs them (compressing
  // them there), and zlib is most of hash-object's time on the 70 MB a big release rewrites.
  const shas = (
    await text(run, dir, [
      '-c',
      'core.looseCompression=0',
      'hash-object',
      '-w',
      '--no-filters',
      '--',
      ...paths,
    ])
  )
    .trim()
    .split('\n');
  if (shas.length !== texts.length) {
    throw new Error(`git hash-object wrote ${shas.length} blobs for ${texts.length} files`);
  }
  return shas;
}
