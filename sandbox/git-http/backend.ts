import { readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ZERO_SHA } from '../git/run.js';
import type { RefUpdate } from '../model/branches.js';
import { onRefsUpdated } from '../model/branches.js';
import type { SandboxContext } from '../model/context.js';
import type { Repository } from '../model/repositories.js';
import type { Token } from '../model/tokens.js';
import type { CgiResponse } from './cgi.js';
import { parseCgi, runCgi } from './cgi.js';
import { pushPolicyEnv } from './hooks.js';
import { readReasons, withReasons } from './report.js';

/** The two services of git's smart HTTP: fetches and pushes. */
export type GitService = 'git-upload-pack' | 'git-receive-pack';

/** A smart-HTTP request in GitHub's layout: `/<owner>/<repo>.git/<service path>`. */
export interface GitRequestPath {
  owner: string;
  repo: string;
  /** `info/refs`, `git-upload-pack` or `git-receive-pack`. */
  action: string;
  /** The route template for the log and for faults. */
  route: string;
}

export function parseGitPath(method: string, pathname: string): GitRequestPath | null {
  const match =
    /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/.exec(pathname);
  if (match === null) return null;
  const [, owner = '', repo = '', action = ''] = match;
  return { owner, repo, action, route: `${method} /{owner}/{repo}.git/${action}` };
}

/** The service a request is about: the POST's own, or `?service=` of the ref advertisement. */
export function gitServiceOf(path: GitRequestPath, query: URLSearchParams): GitService | null {
  const service = path.action === 'info/refs' ? query.get('service') : path.action;
  return service === 'git-upload-pack' || service === 'git-receive-pack' ? service : null;
}

interface GitServeResult {
  response: CgiResponse;
  refUpdates: RefUpdate[];
}

/**
 * Runs `git http-backend` as a CGI for one request and returns its complete answer; for a push,
 * after the ref updates it made were applied to the pull requests (so the client sees a
 * consistent GitHub as soon as the push returns).
 */
export async function serveGit(options: {
  context: SandboxContext;
  request: IncomingMessage;
  repository: Repository;
  path: GitRequestPath;
  query: URLSearchParams;
  token: Token;
  /** Stream a fetch's answer here instead of returning it (not used for pushes). */
  stream?: ServerResponse;
}): Promise<GitServeResult> {
  const { context, request, repository, path, token } = options;
  const isPush = path.action === 'git-receive-pack';
  const pushId = `${process.pid}-${context.ids.take('push')}`;
  const pushLog = join(context.scratchDir, `push-${pushId}.log`);
  const reasonsFile = join(context.scratchDir, `push-${pushId}.reasons`);
  const env: Record<string, string> = {
    GIT_PROJECT_ROOT: context.repositories.root,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${repository.owner.toLowerCase()}/${repository.name.toLowerCase()}.git/${path.action}`,
    REQUEST_METHOD: request.method ?? 'GET',
    QUERY_STRING: options.query.toString(),
    CONTENT_TYPE: request.headers['content-type'] ?? '',
    REMOTE_USER: token.login,
    REMOTE_ADDR: '127.0.0.1',
    SANDBOX_PUSH_LOG: pushLog,
    SANDBOX_PROTECTED_REFS: [...repository.protectedBranches]
      .map((branch) => `refs/heads/${branch}`)
      .join(' '),
    SANDBOX_DEFAULT_REF: `refs/heads/${repository.defaultBranch}`,
    SANDBOX_REASONS: reasonsFile,
    ...(isPush ? pushPolicyEnv(context, repository, token) : {}),
  };
  const protocol = request.headers['git-protocol'];
  if (typeof protocol === 'string') env['GIT_PROTOCOL'] = protocol;
  const encoding = request.headers['content-encoding'];
  if (typeof encoding === 'string') env['HTTP_CONTENT_ENCODING'] = encoding;
  const length = request.headers['content-length'];
  if (typeof length === 'string') env['CONTENT_LENGTH'] = length;

  // Fetches stream (packs can be large); pushes are answered only once the pull requests
  // reflect them, so they are buffered.
  const stream = isPush ? undefined : options.stream;
  const output = await runCgi(env, request, stream);
  if (stream !== undefined) {
    return {
      response: { status: stream.statusCode, headers: {}, body: Buffer.alloc(0) },
      refUpdates: [],
    };
  }
  let response = parseCgi(output);
  let refUpdates: RefUpdate[] = [];
  if (isPush) {
    response = withReasons(response, readReasons(reasonsFile));
    rmSync(reasonsFile, { force: true });
    refUpdates = await readPushLog(repository, pushLog);
    rmSync(pushLog, { force: true });
    if (refUpdates.length > 0) {
      await repository.exclusive(() => onRefsUpdated(context, repository, refUpdates, token.login));
    }
  }
  return { response, refUpdates };
}

async function readPushLog(repository: Repository, file: string): Promise<RefUpdate[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const updates: RefUpdate[] = [];
  for (const line of text.split('\n')) {
    const [oldSha = '', newSha = '', ref = ''] = line.trim().split(' ');
    if (ref === '') continue;
    const created = oldSha === ZERO_SHA;
    const deleted = newSha === ZERO_SHA;
    const forced = !created && !deleted && !(await repository.git.isAncestor(oldSha, newSha));
    updates.push({
      ref,
      oldSha: created ? null : oldSha,
      newSha: deleted ? null : newSha,
      forced,
      created,
      deleted,
    });
  }
  return updates;
}
