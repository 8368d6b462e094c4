import type { TreeEntry } from '../../git/objects.js';
import type { SandboxContext } from '../../model/context.js';
import type { Repository } from '../../model/repositories.js';
import { repositoryUrls } from './common.js';

/** Ruby's `Base64.encode64`, which GitHub's `content` is: 60-character lines, each ending `\n`. */
export function base64Lines(data: Buffer): string {
  const flat = data.toString('base64');
  let out = '';
  for (let start = 0; start < flat.length; start += 60) out += `${flat.slice(start, start + 60)}\n`;
  return out;
}

/** Where content is read: GitHub's URLs name the ref as asked. */
export interface Place {
  context: SandboxContext;
  repository: Repository;
  /** The ref as asked for (or the default branch): GitHub's URLs repeat it, not the commit. */
  ref: string;
}

/**
 * The fields every kind of content shares, in GitHub's order (`name` … `download_url`), and its
 * `_links`, which GitHub puts last.
 */
function describe(
  { context, repository, ref }: Place,
  path: string,
  entry: TreeEntry,
): { head: Record<string, unknown>; links: Record<string, unknown> } {
  const { api, web } = repositoryUrls(context, repository);
  const self = `${api}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
  const git =
    entry.type === 'commit'
      ? null
      : `${api}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${entry.sha}`;
  const html =
    entry.type === 'commit'
      ? null
      : `${web}/${entry.type === 'tree' ? 'tree' : 'blob'}/${ref}/${encodePath(path)}`;
  // GitHub Enterprise serves raw files at /<owner>/<repo>/raw/<ref>/<path> (github.com uses
  // raw.githubusercontent.com); the sandbox does not serve them.
  const download = entry.type === 'blob' ? `${web}/raw/${ref}/${encodePath(path)}` : null;
  return {
    head: {
      name: baseName(path),
      path,
      sha: entry.sha,
      size: entry.size ?? 0,
      url: self,
      html_url: html,
      git_url: git,
      download_url: download,
    },
    links: { _links: { self, git, html } },
  };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** GitHub's content object for one entry: its shared fields, then `extra`, then `_links`. */
export function contentJson(
  place: Place,
  path: string,
  entry: TreeEntry,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const { head, links } = describe(place, path, entry);
  return { ...head, ...extra, ...links };
}

/** One entry of a directory listing. */
export function listingJson(place: Place, dir: string, entry: TreeEntry): Record<string, unknown> {
  const type =
    entry.type === 'tree'
      ? 'dir'
      : entry.mode === '120000'
        ? 'symlink'
        : // "When listing the contents of a directory, submodules have their "type" specified as
          // "file"" (https://docs.github.com/rest/repos/contents#get-repository-content).
          'file';
  return contentJson(place, dir === '' ? entry.path : `${dir}/${entry.path}`, entry, { type });
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
