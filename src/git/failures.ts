import { UserError } from '../errors.js';

// git's and its servers' words for the failures the steps handle, classified here and nowhere
// else. curl words certificate failures differently by TLS library and version (see
// certificateFailure); GitHub words its push refusals in its pre-receive output.

/** Failures worth another attempt: the network or the server, not the request. */
const TRANSIENT =
  /RPC failed|Connection reset|Connection refused|Empty reply|timed out|early EOF|HTTP 5\d\d|returned error: 5\d\d|unexpected disconnect|remote end hung up/i;
/** A lease git refused: "stale info"; a branch created meanwhile: "fetch first" or "already exists", by version. */
const LEASE_REJECTED =
  /\[rejected\] \(stale info\)|\(fetch first\)|already exists|\(non-fast-forward\)/;
const UNAUTHORIZED = /could not read Username|Authentication failed|returned error: 401|HTTP 401/;
const FORBIDDEN = /returned error: 403|HTTP 403/;
const PUSH_UNAUTHORIZED = /returned error: 40[13]|HTTP 40[13]|Authentication failed/;
const NO_SUCH_REF = /couldn't find remote ref|not our ref|no such remote ref|unadvertised object/i;
/** GitHub's reason for a push a ruleset refused (GH013). */
const RULESET_REFUSAL = 'push declined due to repository rule violations';
const PROTECTED_BRANCH = /GH006|protected branch hook declined/;
const WORKFLOW_REFUSAL =
  /refusing to allow (?:an? )?(.+?) to create or update workflow `([^`]+)` without `(\w+)` (scope|permission)/;
const PRE_RECEIVE_DECLINED = 'pre-receive hook declined';
const CA_UNREADABLE =
  /Problem with the SSL CA cert|error setting certificate (file|path|verify locations)|error adding trust anchors|error reading CA cert file/i;
const WRONG_HOST =
  /no alternative certificate subject name matches|certificate subject name .* does not match target host/i;
const CERTIFICATE_REFUSED_BECAUSE =
  /(?:server verification failed|SSL certificate verification failed|SSL certificate problem): ([^.(\n]+)/i;
const CERTIFICATE_REFUSED =
  /server certificate verification failed|SSL certificate verification failed/i;
/** The line of git's output that says what went wrong. */
const FAILURE_LINE = /^(fatal|error):\s*/;

/** A git command that failed: what was being done, and git's own line for why (`reason`). */
export class GitCommandError extends Error {
  override readonly name = 'GitCommandError';

  constructor(
    what: string,
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${what}: ${reason}`, options);
  }
}

/** git's line that says what went wrong (its `fatal:` or `error:` line, else the first). */
export function failureLine(output: string): string {
  const lines = output.split('\n').map((line) => line.trim());
  const line = lines.find((l) => FAILURE_LINE.test(l)) ?? lines.find((l) => l !== '') ?? '';
  return line.replace(FAILURE_LINE, '');
}

/** Whether a failed network command is worth another attempt. */
export function isTransient(output: string): boolean {
  return TRANSIENT.test(output);
}

/** Whether a push failed only because the remote branch was not what the lease expected. */
export function isLeaseRejected(output: string): boolean {
  return LEASE_REJECTED.test(output);
}

/** Where a command talked to, for the messages that say what to check. */
interface RemoteContext {
  url: string;
  /** The configuration fields of the credential, e.g. `source.access_token`. */
  credentialFields: string;
}

/** A fetch's failure as what to do, or undefined when git's words are none the steps know. */
export function fetchRefusal(
  output: string,
  ref: string,
  remote: RemoteContext,
): UserError | undefined {
  if (UNAUTHORIZED.test(output)) {
    return new UserError(
      `fetching ${ref} from ${remote.url} was refused (401): check ${remote.credentialFields} and that it may read the repository`,
    );
  }
  if (FORBIDDEN.test(output)) {
    return new UserError(
      `fetching ${ref} from ${remote.url} was forbidden (403): give the token read access to contents`,
    );
  }
  const certificate = certificateFailure(output, remote.url);
  if (certificate !== undefined) return certificate;
  if (NO_SUCH_REF.test(output)) {
    return new UserError(`${ref} is not in ${remote.url}: check the branch or version`);
  }
  return undefined;
}

/**
 * A push's failure as what to do, or undefined when git's words are none the steps know:
 * `policy` when the server refused it on purpose (checked before the lease: such a push is
 * never a lost race), `access` for a certificate or missing write access.
 */
export function pushRefusal(
  output: string,
  target: { ref: string; branch: string; url: string },
): { kind: 'policy' | 'access'; error: UserError } | undefined {
  const policy = policyRefusal(output, target);
  if (policy !== undefined) return { kind: 'policy', error: policy };
  const access =
    certificateFailure(output, target.url) ??
    (PUSH_UNAUTHORIZED.test(output)
      ? new UserError(
          `pushing ${target.ref} was refused: the token needs write access to the repository's contents`,
        )
      : undefined);
  return access === undefined ? undefined : { kind: 'access', error: access };
}

/**
 * A push the server refused on purpose, as one line that says what to change — a protected
 * branch (GH006), a ruleset (GH013), the workflow scope or permission, a custom pre-receive
 * hook — or undefined. Never retried: the same push is refused again until something changes.
 */
function policyRefusal(
  output: string,
  target: { ref: string; branch: string; url: string },
): UserError | undefined {
  const { ref, branch } = target;
  // git's report names the server's reason: `! [remote rejected] <ref> (<reason>)`.
  const reason = /\[remote rejected\][^\n]*?\((.+)\)\s*$/m.exec(output)?.[1] ?? '';
  const remoteLines = output
    .split('\n')
    .filter((line) => line.startsWith('remote: '))
    .map((line) => line.slice('remote: '.length).trim());
  const bypass =
    "set source.branch_prefix to a prefix no such ruleset targets, or add the resource's token or GitHub App to the ruleset's bypass list";
  if (PROTECTED_BRANCH.test(output)) {
    return new UserError(
      `pushing ${ref} was refused as a protected branch (GH006): set source.branch_prefix to a prefix outside the branch protection rules`,
    );
  }
  if (/GH013/.test(output) || reason === RULESET_REFUSAL) {
    // "remote: - <rule>" blocks, each possibly followed by indented details (the commits).
    const rules: string[] = [];
    for (const line of remoteLines) {
      if (line.startsWith('- ')) rules.push(line.slice(2));
      else if (line !== '' && rules.length > 0 && !/^(error|Review all)/.test(line)) {
        rules[rules.length - 1] += ` ${line}`;
      }
    }
    const review = /Review all repository rules at (\S+)/.exec(output)?.[1];
    const text = rules.join('; ');
    const why = /force-push/i.test(text)
      ? 'the lock branch is replaced, with a lease, once its PR was merged or closed, so the resource must be allowed to force-push it'
      : /creations? being restricted/i.test(text)
        ? 'the resource creates its lock branch'
        : /signatures/i.test(text)
          ? "the resource's commits are not signed"
          : `the resource pushes its lock branch ${branch}`;
    return new UserError(
      `pushing ${ref} was refused by a ruleset of ${repositoryName(target.url)} (GH013: ${text || RULESET_REFUSAL}${review === undefined ? '' : `; see ${review}`}): ${why}: ${bypass}`,
    );
  }
  const workflow = WORKFLOW_REFUSAL.exec(reason);
  if (workflow !== null) {
    return new UserError(
      `pushing ${ref} was refused: GitHub lets no token without the workflow scope move a branch across changes to .github/workflows/ (${reason}), and the lock branch still holds a release on an older base whose workflows have changed since: delete the branch ${branch} and re-run (and turn on "Automatically delete head branches" so that merged lock branches go), or give the token the workflow scope (fine-grained tokens and GitHub Apps: the Workflows permission, read and write)`,
    );
  }
  if (reason === PRE_RECEIVE_DECLINED) {
    const said = remoteLines.filter((line) => line !== '').join(' / ');
    return new UserError(
      `pushing ${ref} was declined by a pre-receive hook of ${new URL(target.url).host}${said === '' ? '' : ` (${said})`}: do what the hook asks of branch ${branch}, or set source.branch_prefix to a prefix it accepts; its administrators know what it checks`,
    );
  }
  return undefined;
}

/** `owner/repo` of a git URL, for messages. */
function repositoryName(url: string): string {
  return new URL(url).pathname.replace(/^\/+/, '').replace(/\.git$/, '');
}

/**
 * git's refusal of a server certificate as what to do, or undefined when `output` is no such
 * refusal. The words are curl's, and differ by TLS library and version (lib/vtls/gtls.c and
 * openssl.c, https://github.com/curl/curl): GnuTLS, which Debian's git uses, says "server
 * certificate verification failed" before curl 8.10 (bookworm), "server verification failed:
 * CAUSE" from 8.10 (trixie, the image) and "SSL certificate verification failed: CAUSE" from 8.17;
 * OpenSSL says "SSL certificate problem: CAUSE". A CA bundle that cannot be read (a worker whose
 * /etc/ssl/certs has no ca-certificates.crt) is "Problem with the SSL CA cert (path? access
 * rights?)", or OpenSSL's "error setting certificate file" / "error adding trust anchors".
 */
function certificateFailure(output: string, url: string): UserError | undefined {
  const origin = new URL(url).origin;
  const choices = 'or source.skip_ssl_verification: true';
  if (CA_UNREADABLE.test(output)) {
    return new UserError(
      `git found no CA certificates to check ${origin} against (the worker's /etc/ssl/certs has no ca-certificates.crt): set source.ca_certs to the PEM of the CA that issued its certificate, ${choices}`,
    );
  }
  if (WRONG_HOST.test(output)) {
    return new UserError(
      `the certificate of ${origin} does not name its host (git): check source.git_url and source.github_api_url, ${choices}`,
    );
  }
  const refused = CERTIFICATE_REFUSED_BECAUSE.exec(output) ?? CERTIFICATE_REFUSED.exec(output);
  if (refused === null) return undefined;
  const cause = refused[1]?.trim();
  return new UserError(
    `git does not trust the certificate of ${origin}: set source.ca_certs to the PEM of the CA that issued it, ${choices}${cause === undefined ? '' : ` (${cause})`}`,
  );
}
