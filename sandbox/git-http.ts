import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { SandboxContext } from './context.js';
import { isolatedGitEnv, ZERO_SHA } from './git.js';
import { onRefsUpdated } from './pulls.js';
import type { Repository } from './repositories.js';
import type { GitService, RefUpdate } from './request-log.js';
import type { Token } from './tokens.js';

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

/**
 * Writes the hooks every sandbox repository uses (`core.hooksPath`). pre-receive refuses what
 * GitHub refuses, with GitHub's texts: updates of protected branches (GH006, e.g.
 * https://github.com/SageMathOER-CCC/sage-discrete-math/issues/84) and deleting the default
 * branch. post-receive records the ref updates that went through for the request log.
 */
export function writeHooks(hooksDir: string): void {
  mkdirSync(hooksDir, { recursive: true });
  const preReceive = `#!/bin/sh
status=0
while read -r old new ref; do
  for protected in $SANDBOX_PROTECTED_REFS; do
    if [ "$ref" = "$protected" ]; then
      echo "error: GH006: Protected branch update failed for $ref." >&2
      echo "error: Changes must be made through a pull request." >&2
      status=1
    fi
  done
  if [ "$new" = "${ZERO_SHA}" ] && [ "$ref" = "$SANDBOX_DEFAULT_REF" ]; then
    echo "error: refusing to delete the current branch: $ref" >&2
    status=1
  fi
done
exit $status
`;
  const postReceive = `#!/bin/sh
if [ -n "$SANDBOX_PUSH_LOG" ]; then cat >> "$SANDBOX_PUSH_LOG"; else cat > /dev/null; fi
`;
  for (const [name, script] of [
    ['pre-receive', preReceive],
    ['post-receive', postReceive],
  ] as const) {
    const file = join(hooksDir, name);
    writeFileSync(file, script);
    chmodSync(file, 0o755);
  }
}

export interface CgiResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface GitServeResult {
  response: CgiResponse;
  refUpdates: RefUpdate[];
}

let pushCounter = 0;

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
  const pushLog = join(context.scratchDir, `push-${process.pid}-${++pushCounter}.log`);
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
  const response = parseCgi(output);
  let refUpdates: RefUpdate[] = [];
  if (isPush) {
    refUpdates = await readPushLog(repository, pushLog);
    rmSync(pushLog, { force: true });
    if (refUpdates.length > 0) {
      await repository.exclusive(() => onRefsUpdated(context, repository, refUpdates, token.login));
    }
  }
  return { response, refUpdates };
}

/** Runs the CGI; returns its whole output, or streams it to `stream` (and returns nothing). */
function runCgi(
  env: Record<string, string>,
  request: IncomingMessage,
  stream: ServerResponse | undefined,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const child = spawn('git', ['http-backend'], {
      env: isolatedGitEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    let streaming = false;
    // Backpressure: a pack of a GiB is read from git no faster than the client takes it, so the
    // sandbox never holds it in memory.
    const send = (chunk: Buffer) => {
      if (stream === undefined || stream.write(chunk)) return;
      child.stdout.pause();
      stream.once('drain', () => child.stdout.resume());
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (streaming) {
        send(chunk);
        return;
      }
      chunks.push(chunk);
      if (stream === undefined) return;
      const head = parseCgi(Buffer.concat(chunks), true);
      if (head === null) return;
      streaming = true;
      stream.writeHead(head.status, head.headers);
      if (head.body.length > 0) send(head.body);
    });
    // A client that went away stops the pack it was sent.
    stream?.on('close', () => {
      if (child.exitCode === null) child.kill();
    });
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (stream !== undefined) {
        if (!streaming) {
          const whole = parseCgi(Buffer.concat(chunks));
          stream.writeHead(whole.status, whole.headers);
          stream.write(whole.body);
        }
        stream.end();
        resolve(Buffer.alloc(0));
      } else if (code !== 0 && chunks.length === 0) {
        reject(new Error(`git http-backend failed (${code}): ${Buffer.concat(errors).toString()}`));
      } else {
        resolve(Buffer.concat(chunks));
      }
    });
    child.stdin.on('error', () => undefined);
    request.pipe(child.stdin);
  });
}

function parseCgi(output: Buffer): CgiResponse;
function parseCgi(output: Buffer, partial: true): CgiResponse | null;
function parseCgi(output: Buffer, partial = false): CgiResponse | null {
  let split = output.indexOf('\r\n\r\n');
  let separator = 4;
  if (split === -1) {
    split = output.indexOf('\n\n');
    separator = 2;
  }
  if (split === -1) return partial ? null : { status: 500, headers: {}, body: output };
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of output.subarray(0, split).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers, body: output.subarray(split + separator) };
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
