import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { SandboxContext } from '../model/context.js';
import { isolatedGitEnv, ZERO_SHA } from '../git/run.js';
import { onRefsUpdated } from '../model/pulls.js';
import type { Repository } from '../model/repositories.js';
import type { GitService, RefUpdate } from '../server/request-log.js';
import type { Token } from '../model/tokens.js';

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
 * GitHub refuses, with GitHub's texts, from what serveGit puts in its environment:
 * - updates of protected branches: GH006, reason "protected branch hook declined"
 *   (https://github.com/SageMathOER-CCC/sage-discrete-math/issues/84), and deleting the default
 *   branch;
 * - rulesets: GH013, "Review all repository rules at …", one "- <rule>" per violation, reason
 *   "push declined due to repository rule violations" (https://github.com/JRedrupp/bison/issues/136
 *   "Cannot force-push to this branch", https://github.com/vercel/sandbox/pull/169 "Commits must
 *   have verified signatures." with the violating commits, https://github.com/open-city-ai/haidian/issues/1148
 *   "Cannot create ref due to creations being restricted.", https://github.com/yshavit/mdq/pull/255
 *   "Changes must be made through a pull request.", "Cannot update this protected ref."
 *   https://stackoverflow.com/questions/78285135); every commit without a signature counts as
 *   unverified;
 * - a token without the workflow scope or permission that would move a branch across changes
 *   under `.github/workflows/`: only the reason, e.g. "refusing to allow a GitHub App to create or
 *   update workflow `.github/workflows/ci.yml` without `workflows` permission"
 *   (https://github.com/repo-sync/github-sync/issues/23; for tokens "…a Personal Access Token…
 *   without `workflow` scope", https://github.com/DataChefHQ/aws-data-landing-zone/issues/29).
 *   An update is refused when the workflows differ between the old and the new tip — a branch
 *   kept while its base changed its workflows is refused as well
 *   (https://github.com/peter-evans/create-pull-request/issues/3510,
 *   https://github.com/wildfly/wildfly.org/issues/549); a new branch when one of its commits new
 *   to the repository changes them;
 * - a custom pre-receive hook (GitHub Enterprise Server): its message, reason "pre-receive hook
 *   declined".
 * The reasons go to $SANDBOX_REASONS for serveGit, which puts them into git's report (a hook
 * itself can only decline). post-receive records the ref updates that went through for the
 * request log.
 */
export function writeHooks(hooksDir: string): void {
  mkdirSync(hooksDir, { recursive: true });
  const preReceive = `#!/bin/sh
zero=${ZERO_SHA}
status=0
decline() {
  if [ -n "$SANDBOX_REASONS" ]; then printf '%s\\t%s\\n' "$1" "$2" >> "$SANDBOX_REASONS"; fi
  status=1
}
matches() {
  printf '%s\\n' "$1" | grep -Eq "$2"
}
violate() {
  case "$violations" in *"- $1"*) return ;; esac
  violations="$violations- $1

"
}
while read -r old new ref; do
  protected=""
  for branch in $SANDBOX_PROTECTED_REFS; do
    if [ "$ref" = "$branch" ]; then protected=1; fi
  done
  if [ -n "$protected" ]; then
    echo "error: GH006: Protected branch update failed for $ref." >&2
    echo "error: Changes must be made through a pull request." >&2
    decline "$ref" "protected branch hook declined"
    continue
  fi
  if [ "$new" = "$zero" ] && [ "$ref" = "$SANDBOX_DEFAULT_REF" ]; then
    echo "error: refusing to delete the current branch: $ref" >&2
    decline "$ref" "refusing to delete the current branch: $ref"
    continue
  fi
  violations=""
  while read -r rule pattern; do
    if [ -z "$rule" ] || ! matches "$ref" "$pattern"; then continue; fi
    case "$rule" in
      creation)
        if [ "$old" = "$zero" ]; then violate "Cannot create ref due to creations being restricted."; fi ;;
      update)
        if [ "$old" != "$zero" ] && [ "$new" != "$zero" ]; then violate "Cannot update this protected ref."; fi ;;
      pull_request)
        if [ "$old" != "$zero" ] && [ "$new" != "$zero" ]; then violate "Changes must be made through a pull request."; fi ;;
      non_fast_forward)
        if [ "$old" != "$zero" ] && [ "$new" != "$zero" ] && ! git merge-base --is-ancestor "$old" "$new" </dev/null; then
          violate "Cannot force-push to this branch"
        fi ;;
      required_signatures)
        if [ "$new" != "$zero" ]; then
          unsigned=""
          count=0
          for commit in $(git rev-list "$new" --not --all </dev/null); do
            if ! git cat-file commit "$commit" </dev/null | sed '/^$/q' | grep -q '^gpgsig'; then
              unsigned="$unsigned
  $commit"
              count=$((count + 1))
            fi
          done
          if [ "$count" -eq 1 ]; then
            violate "Commits must have verified signatures.
  Found 1 violation:
$unsigned"
          elif [ "$count" -gt 1 ]; then
            violate "Commits must have verified signatures.
  Found $count violations:
$unsigned"
          fi
        fi ;;
    esac
  done <<RULES
$SANDBOX_RULES
RULES
  if [ -n "$violations" ]; then
    echo "error: GH013: Repository rule violations found for $ref." >&2
    echo "Review all repository rules at $SANDBOX_RULES_URL?ref=$(printf '%s' "$ref" | sed 's|/|%2F|g')" >&2
    echo "" >&2
    printf '%s' "$violations" >&2
    decline "$ref" "push declined due to repository rule violations"
    continue
  fi
  if [ -n "$SANDBOX_WORKFLOW_REFUSAL" ] && [ "$new" != "$zero" ]; then
    if [ "$old" = "$zero" ]; then
      workflow=$(git log --format= --name-only "$new" --not --all -- .github/workflows/ </dev/null | sed -n '/./{p;q;}')
    else
      workflow=$(git diff --name-only "$old" "$new" -- .github/workflows/ </dev/null | sed -n 1p)
    fi
    if [ -n "$workflow" ]; then
      decline "$ref" "$(printf "$SANDBOX_WORKFLOW_REFUSAL" "$workflow")"
      continue
    fi
  fi
  if [ -n "$SANDBOX_HOOK_PATTERN" ] && [ "$new" != "$zero" ] && matches "$ref" "$SANDBOX_HOOK_PATTERN"; then
    printf '%s\\n' "$SANDBOX_HOOK_MESSAGE" >&2
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

/**
 * An extended regular expression (for the hook's `grep -E`) matching `refs/heads/<name>` for the
 * branch names a ruleset pattern targets: fnmatch with `*` within a path segment, `**` across.
 */
export function branchPatternRegex(pattern: string, defaultBranch: string): string {
  if (pattern === '~ALL') return '^refs/heads/';
  const glob = pattern === '~DEFAULT_BRANCH' ? defaultBranch.replace(/[*?[\\]/g, '\\$&') : pattern;
  let regex = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? '';
    if (char === '*' && glob[i + 1] === '*') {
      regex += '.*';
      i++;
    } else if (char === '*') regex += '[^/]*';
    else if (char === '?') regex += '[^/]';
    else if (char === '\\' && i + 1 < glob.length) regex += escapeRegex(glob[++i] ?? '');
    else regex += escapeRegex(char);
  }
  return `^refs/heads/${regex}$`;
}

function escapeRegex(char: string): string {
  return /[.^$+(){}|[\]\\]/.test(char) ? `\\${char}` : char;
}

/** The environment a push's pre-receive hook reads: the repository's settings and the token's. */
function pushPolicyEnv(
  context: SandboxContext,
  repository: Repository,
  token: Token,
): Record<string, string> {
  const rules = repository.rulesets.flatMap((ruleset) =>
    ruleset.rules.flatMap((rule) =>
      ruleset.branches.map(
        (branch) => `${rule} ${branchPatternRegex(branch, repository.defaultBranch)}`,
      ),
    ),
  );
  const hook = repository.preReceiveHook;
  const holder = token.holder === 'app' ? 'a GitHub App' : 'a Personal Access Token';
  const grant = token.holder === 'app' ? '`workflows` permission' : '`workflow` scope';
  return {
    SANDBOX_RULES: rules.join('\n'),
    SANDBOX_RULES_URL: `${context.urls.web}/${repository.fullName}/rules`,
    SANDBOX_WORKFLOW_REFUSAL: token.workflows
      ? ''
      : `refusing to allow ${holder} to create or update workflow \`%s\` without ${grant}`,
    SANDBOX_HOOK_PATTERN:
      hook === null
        ? ''
        : hook.branches
            .map((branch) => `(${branchPatternRegex(branch, repository.defaultBranch)})`)
            .join('|'),
    SANDBOX_HOOK_MESSAGE: hook?.message ?? '',
  };
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
  const pushId = `${process.pid}-${++pushCounter}`;
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

/** What the pre-receive hook declined, ref by ref, in GitHub's words. */
function readReasons(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return new Map();
  }
  const reasons = new Map<string, string>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0 && !reasons.has(line.slice(0, tab)))
      reasons.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return reasons;
}

const HOOK_DECLINED = 'pre-receive hook declined';

/**
 * The receive-pack answer with GitHub's reason for each ref the hook declined instead of git's
 * "pre-receive hook declined": `ng <ref> <reason>` in the report-status, which travels inside
 * side-band channel 1 when the client asked for side-band-64k (as git does).
 */
function withReasons(response: CgiResponse, reasons: Map<string, string>): CgiResponse {
  if (reasons.size === 0) return response;
  const rewrite = (report: Buffer): Buffer =>
    writePackets(
      readPackets(report).map((packet) => {
        const line = packet?.toString('utf8');
        const match = line === undefined ? null : /^ng (\S+) (.*)\n?$/.exec(line);
        const reason = match === null ? undefined : reasons.get(match[1] ?? '');
        if (match === null || reason === undefined || match[2] !== HOOK_DECLINED) return packet;
        return Buffer.from(`ng ${match[1] ?? ''} ${reason}\n`);
      }),
    );
  const packets = readPackets(response.body);
  const banded = packets.some((packet) => packet !== null && packet[0] === 1);
  let body: Buffer;
  if (!banded) {
    body = rewrite(response.body);
  } else {
    const report = Buffer.concat(
      packets.filter((packet): packet is Buffer => packet?.[0] === 1).map((p) => p.subarray(1)),
    );
    const rewritten = rewrite(report);
    const chunks: Buffer[] = [];
    for (let at = 0; at < rewritten.length; at += SIDEBAND_MAX) {
      chunks.push(Buffer.concat([Buffer.from([1]), rewritten.subarray(at, at + SIDEBAND_MAX)]));
    }
    const first = packets.findIndex((packet) => packet?.[0] === 1);
    const others = packets.filter((packet) => packet?.[0] !== 1);
    others.splice(first, 0, ...chunks);
    body = writePackets(others);
  }
  const headers = { ...response.headers };
  delete headers['content-length'];
  return { ...response, headers, body };
}

// side-band-64k: packets of at most 65,520 bytes, one of them the band.
const SIDEBAND_MAX = 65_515;

/** pkt-lines: each payload, or null for a flush packet (`0000`). */
function readPackets(data: Buffer): Array<Buffer | null> {
  const packets: Array<Buffer | null> = [];
  let at = 0;
  while (at + 4 <= data.length) {
    const length = Number.parseInt(data.subarray(at, at + 4).toString('latin1'), 16);
    if (Number.isNaN(length)) break;
    if (length < 4) {
      packets.push(null);
      at += 4;
      continue;
    }
    packets.push(data.subarray(at + 4, at + length));
    at += length;
  }
  return packets;
}

function writePackets(packets: Array<Buffer | null>): Buffer {
  return Buffer.concat(
    packets.map((packet) =>
      packet === null
        ? Buffer.from('0000')
        : Buffer.concat([Buffer.from((packet.length + 4).toString(16).padStart(4, '0')), packet]),
    ),
  );
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
