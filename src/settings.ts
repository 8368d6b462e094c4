import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import type {
  CheckRequest,
  InRequest,
  OutRequest,
  RawInParams,
  RawOutParams,
  RawSource,
  Version,
} from './contract.js';
import { parseDuration } from './duration.js';
import { UserError } from './errors.js';
import { nearestWord } from './nearest-word.js';

// Every default of the resource, in one place (the README's tables repeat them).
export const DEFAULTS = {
  githubApiUrl: 'https://api.github.com',
  branchPrefix: 'bosh-release-pr/',
  gitAuthorName: 'bosh-release-pr',
  gitAuthorEmail: 'bosh-release-pr@users.noreply.github.com',
  track: 'both',
  onOpenPr: 'fail',
  waitTimeout: '1h',
  onClosedPr: 'reclaim',
  staleLockAfter: '30m',
  waitInterval: '15s',
} as const;

export type Auth =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: string; privateKey: string; installationId: string | undefined };

/** `source`, parsed and with defaults applied. */
export interface SourceSettings {
  owner: string;
  repo: string;
  auth: Auth;
  /** REST base URL, without a trailing slash. */
  apiUrl: string;
  /** The repository's git URL over HTTPS (derived from apiUrl unless `git_url` is set). */
  gitUrl: string;
  /** The web URL of the repository, for links in messages. */
  webUrl: string;
  baseBranch: string | undefined;
  releaseName: string | undefined;
  branchPrefix: string;
  labels: string[];
  gitAuthor: { name: string; email: string };
  caCerts: string | undefined;
  skipSslVerification: boolean;
  debug: boolean;
  track: 'both' | 'final_builds';
  /** Report every merged release in merge order, also one lower than the base had (a backport). */
  reportLowerVersions: boolean;
}

export interface OutSettings {
  /** Path of the checkout under the `out` argument directory. */
  repository: string;
  version: string | undefined;
  title: string | undefined;
  body: string | undefined;
  bodyFile: string | undefined;
  commitMessage: string | undefined;
  labels: string[];
  reviewers: string[];
  teamReviewers: string[];
  assignees: string[];
  draft: boolean;
  onOpenPr: 'fail' | 'wait';
  waitTimeoutMs: number;
  /** How often `on_open_pr: wait` reads the lock again. */
  waitIntervalMs: number;
  onClosedPr: 'reclaim' | 'fail';
  staleLockAfterMs: number;
  import: boolean;
  /** Accept a release cut from a dirty tree (`uncommitted_changes: true`). */
  allowUncommittedChanges: boolean;
}

export interface InSettings {
  skipDownload: boolean;
}

export interface CheckInput {
  source: SourceSettings;
  version: Partial<Version> | undefined;
}

export interface InInput {
  source: SourceSettings;
  version: Partial<Version>;
  params: InSettings;
}

export interface OutInput {
  source: SourceSettings;
  params: OutSettings;
}

const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const nonEmpty = { type: 'string', minLength: 1 } as const;

const sourceSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['repository'],
  properties: {
    repository: {
      type: 'string',
      pattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+$',
      description: 'owner/name of the GitHub repository, e.g. acme/example-release',
    },
    access_token: nonEmpty,
    app_id: { type: ['string', 'integer'] },
    private_key: nonEmpty,
    installation_id: { type: ['string', 'integer'] },
    github_api_url: {
      type: 'string',
      pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
      description: 'an http(s) URL such as https://github.example.com/api/v3',
    },
    git_url: {
      type: 'string',
      pattern: '^https?://[^\\s@]+$',
      description: 'an http(s) URL of the repository without credentials',
    },
    base_branch: nonEmpty,
    release_name: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      description: 'a BOSH release name such as example',
    },
    branch_prefix: nonEmpty,
    labels: stringList,
    git_author_name: nonEmpty,
    git_author_email: nonEmpty,
    ca_certs: nonEmpty,
    skip_ssl_verification: { type: 'boolean' },
    debug: { type: 'boolean' },
    track: { enum: ['both', 'final_builds'] },
    report_lower_versions: { type: 'boolean' },
  },
};

const outParamsSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['repository'],
  properties: {
    repository: {
      type: 'string',
      minLength: 1,
      description: 'the name of the artifact holding the checkout, e.g. release-repo',
    },
    version: nonEmpty,
    title: nonEmpty,
    body: { type: 'string' },
    body_file: nonEmpty,
    commit_message: nonEmpty,
    labels: stringList,
    reviewers: stringList,
    team_reviewers: stringList,
    assignees: stringList,
    draft: { type: 'boolean' },
    on_open_pr: { enum: ['fail', 'wait'] },
    wait_timeout: nonEmpty,
    wait_interval: nonEmpty,
    on_closed_pr: { enum: ['reclaim', 'fail'] },
    stale_lock_after: nonEmpty,
    import: { type: 'boolean' },
    allow_uncommitted_changes: { type: 'boolean' },
  },
};

const inParamsSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: { skip_download: { type: 'boolean' } },
};

// Lenient on purpose: versions live in Concourse's history, so keys added or dropped by another
// release of the resource must not break a get of an old version.
const versionSchema: SchemaObject = {
  type: 'object',
  properties: { version: { type: 'string' }, pr: { type: 'string' }, ref: { type: 'string' } },
};

// The step bundles get these validators as code Ajv generated at build time (scripts/build.mjs):
// compiling them here at start-up cost ~60 ms per step. Keep the options and schemas static.
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
const validateSource = ajv.compile<RawSource>(sourceSchema);
const validateOutParams = ajv.compile<RawOutParams>(outParamsSchema);
const validateInParams = ajv.compile<RawInParams>(inParamsSchema);
const validateVersion = ajv.compile<Partial<Version>>(versionSchema);

/** Parses a `check` request read from stdin. */
export function parseCheckRequest(raw: unknown): CheckInput {
  const request = requestObject(raw) as Partial<CheckRequest>;
  return { source: parseSource(request.source), version: parseVersion(request.version) };
}

/** Parses an `in` request read from stdin. */
export function parseInRequest(raw: unknown): InInput {
  const request = requestObject(raw) as Partial<InRequest>;
  const source = parseSource(request.source);
  const version = parseVersion(request.version);
  if (version === undefined) {
    throw new UserError('version: required: Concourse runs in with the version to fetch');
  }
  const params = check(validateInParams, request.params ?? {}, 'params', inParamsSchema);
  return { source, version, params: { skipDownload: params.skip_download ?? false } };
}

/** Parses an `out` request read from stdin. */
export function parseOutRequest(raw: unknown): OutInput {
  const request = requestObject(raw) as Partial<OutRequest>;
  const source = parseSource(request.source);
  if (request.params === undefined || request.params === null) {
    throw new UserError(
      'params.repository: required: name the artifact holding the checkout after bosh create-release --final',
    );
  }
  const params = check(validateOutParams, request.params, 'params', outParamsSchema);
  return { source, params: outSettings(params, source) };
}

function requestObject(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserError(
      `the request on stdin must be a JSON object with "source", got ${describeType(raw)}`,
    );
  }
  return raw as Record<string, unknown>;
}

function parseVersion(raw: unknown): Partial<Version> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const version = check(validateVersion, raw, 'version', versionSchema);
  const known: Partial<Version> = {};
  if (version.version !== undefined) known.version = version.version;
  if (version.pr !== undefined) known.pr = version.pr;
  if (version.ref !== undefined) known.ref = version.ref;
  return known;
}

function parseSource(raw: unknown): SourceSettings {
  if (raw === undefined || raw === null) {
    throw new UserError('source: required: set at least source.repository and credentials');
  }
  refuseCredentialsInUrls(raw);
  const source = check(validateSource, raw, 'source', sourceSchema);
  const [owner = '', repo = ''] = source.repository.split('/');
  const apiUrl = (source.github_api_url ?? DEFAULTS.githubApiUrl).replace(/\/+$/, '');
  const webBase = webBaseUrl(apiUrl);
  return {
    owner,
    repo,
    auth: parseAuth(source),
    apiUrl,
    gitUrl: source.git_url ?? `${webBase}/${owner}/${repo}.git`,
    webUrl: `${webBase}/${owner}/${repo}`,
    baseBranch: source.base_branch,
    releaseName: source.release_name,
    branchPrefix: source.branch_prefix ?? DEFAULTS.branchPrefix,
    labels: source.labels ?? [],
    gitAuthor: {
      name: source.git_author_name ?? DEFAULTS.gitAuthorName,
      email: source.git_author_email ?? DEFAULTS.gitAuthorEmail,
    },
    caCerts: source.ca_certs,
    skipSslVerification: source.skip_ssl_verification ?? false,
    debug: source.debug ?? false,
    track: source.track ?? DEFAULTS.track,
    reportLowerVersions: source.report_lower_versions ?? false,
  };
}

// A URL's userinfo (`scheme://user:password@host`): a credential where it ends up in logs, git's
// messages and undici's errors ("Request cannot be constructed from a URL that includes
// credentials: <the URL>").
const URL_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;

/** Refuses git_url or github_api_url with credentials in them, without repeating the URL. */
function refuseCredentialsInUrls(raw: unknown): void {
  if (typeof raw !== 'object' || raw === null) return;
  for (const field of ['git_url', 'github_api_url']) {
    const value = (raw as Record<string, unknown>)[field];
    if (typeof value === 'string' && URL_USERINFO.test(value.trim())) {
      throw new UserError(
        `source.${field}: must not carry credentials (user:password@ before the host; the URL is not repeated here): give the token in source.access_token, or a GitHub App in app_id and private_key, and the URL without them`,
      );
    }
  }
}

function parseAuth(source: RawSource): Auth {
  const hasApp = source.app_id !== undefined || source.private_key !== undefined;
  if (source.access_token !== undefined && hasApp) {
    throw new UserError('source: set either access_token or app_id with private_key, not both');
  }
  if (source.access_token !== undefined) return { kind: 'token', token: source.access_token };
  if (source.app_id !== undefined && source.private_key !== undefined) {
    return {
      kind: 'app',
      appId: String(source.app_id),
      privateKey: source.private_key,
      installationId:
        source.installation_id === undefined ? undefined : String(source.installation_id),
    };
  }
  if (hasApp) {
    const missing = source.app_id === undefined ? 'app_id' : 'private_key';
    throw new UserError(`source.${missing}: required with GitHub App authentication`);
  }
  throw new UserError(
    'source.access_token: required: give a GitHub token (or app_id and private_key for a GitHub App)',
  );
}

/** `https://api.github.com` → `https://github.com`; Enterprise `https://HOST/api/v3` → `https://HOST`. */
function webBaseUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return `${url.protocol}//github.com`;
  if (url.hostname.startsWith('api.') && url.pathname === '/') {
    return `${url.protocol}//${url.host.slice('api.'.length)}`;
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/$/, '')}`;
}

function outSettings(params: RawOutParams, source: SourceSettings): OutSettings {
  if (params.body !== undefined && params.body_file !== undefined) {
    throw new UserError('params: set body or body_file, not both');
  }
  if (params.repository.startsWith('/') || params.repository.split('/').includes('..')) {
    throw new UserError(
      `params.repository: "${params.repository}" must be the artifact's name relative to the build's working directory, e.g. release-repo`,
    );
  }
  return {
    repository: params.repository,
    version: params.version,
    title: params.title,
    body: params.body,
    bodyFile: params.body_file,
    commitMessage: params.commit_message,
    labels: [...new Set([...source.labels, ...(params.labels ?? [])])],
    reviewers: params.reviewers ?? [],
    teamReviewers: params.team_reviewers ?? [],
    assignees: params.assignees ?? [],
    draft: params.draft ?? false,
    onOpenPr: params.on_open_pr ?? DEFAULTS.onOpenPr,
    waitTimeoutMs: parseDuration(
      params.wait_timeout ?? DEFAULTS.waitTimeout,
      'params.wait_timeout',
    ),
    waitIntervalMs: waitInterval(params.wait_interval ?? DEFAULTS.waitInterval),
    onClosedPr: params.on_closed_pr ?? DEFAULTS.onClosedPr,
    staleLockAfterMs: parseDuration(
      params.stale_lock_after ?? DEFAULTS.staleLockAfter,
      'params.stale_lock_after',
    ),
    import: params.import ?? false,
    allowUncommittedChanges: params.allow_uncommitted_changes ?? false,
  };
}

// Each poll costs a request or three of the hourly rate limit: no faster than once a second.
const MIN_WAIT_INTERVAL_MS = 1000;

function waitInterval(text: string): number {
  const ms = parseDuration(text, 'params.wait_interval');
  if (ms < MIN_WAIT_INTERVAL_MS) {
    throw new UserError(
      `params.wait_interval: must be at least 1s (each poll asks GitHub again), got "${text}"`,
    );
  }
  return ms;
}

function check<T>(
  validate: ValidateFunction<T>,
  value: unknown,
  path: string,
  schema: SchemaObject,
): T {
  if (validate(value)) return value;
  const messages = (validate.errors ?? []).map((error) => explain(error, path, schema, value));
  throw new UserError([...new Set(messages)].slice(0, 3).join('; '));
}

function explain(error: ErrorObject, root: string, schema: SchemaObject, value: unknown): string {
  const field = root + error.instancePath.replace(/\//g, '.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  const properties = (schema.properties ?? {}) as Record<string, SchemaObject>;
  const known = Object.keys(properties);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const hint = nearestWord(key, known);
      return hint === undefined
        ? `${field}.${key}: unknown field (known fields: ${known.join(', ')})`
        : `${field}.${key}: unknown field, did you mean ${hint}?`;
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      const what = properties[key]?.description;
      return `${field}.${key}: required${what === undefined ? '' : ` (${what})`}`;
    }
    case 'type': {
      const actual = describeType(valueAt(value, error.instancePath));
      return `${field}: must be ${article(String(error.params.type))}, got ${actual}`;
    }
    case 'enum':
      return `${field}: must be one of ${(error.params.allowedValues as unknown[]).join(', ')}, got ${JSON.stringify(valueAt(value, error.instancePath))}`;
    case 'pattern': {
      const key = error.instancePath.split('/')[1] ?? '';
      const what = properties[key]?.description ?? `to match ${String(error.params.pattern)}`;
      return `${field}: must be ${what}, got ${JSON.stringify(valueAt(value, error.instancePath))}`;
    }
    case 'minLength':
      return `${field}: must not be empty`;
    default:
      return `${field}: ${error.message ?? 'is invalid'}`;
  }
}

function valueAt(value: unknown, pointer: string): unknown {
  let current = value;
  for (const part of pointer.split('/').slice(1)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.slice(0, 40))})`;
  if (typeof value === 'object') return 'an object';
  return `${article(typeof value)} (${JSON.stringify(value)})`;
}

function article(type: string): string {
  const names = type
    .split(',')
    .map((t) => (t === 'integer' ? 'an integer' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`));
  return names.join(' or ');
}
