import { Ajv, type SchemaObject } from 'ajv';
import type {
  CheckRequest,
  GetRequest,
  PutRequest,
  RawGetParams,
  RawPutParams,
  RawSource,
  ResourceVersion,
} from './contract.js';
import { parseDuration } from '../rules/duration.js';
import { UserError } from '../errors.js';
import { checked, describeType } from './field-errors.js';
import {
  GET_FIELDS,
  PUT_FIELDS,
  schemaOf,
  settingsOf,
  SOURCE_FIELDS,
  type Settings,
} from './fields.js';

type Auth =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: string; privateKey: string; installationId: string | undefined };

/** `source`, parsed: its fields with defaults applied (fields.ts), and what follows from them. */
export interface SourceSettings extends Pick<
  Settings<typeof SOURCE_FIELDS>,
  | 'baseBranch'
  | 'releaseName'
  | 'branchPrefix'
  | 'labels'
  | 'caCerts'
  | 'skipSslVerification'
  | 'debug'
  | 'track'
  | 'reportLowerVersions'
  | 'statusContext'
> {
  owner: string;
  repo: string;
  auth: Auth;
  /** REST base URL (`github_api_url`), without a trailing slash. */
  apiUrl: string;
  /** The repository's git URL over HTTPS (derived from apiUrl unless `git_url` is set). */
  gitUrl: string;
  /** The web URL of the repository, for links in messages. */
  webUrl: string;
  /** `git_author_name` and `git_author_email`. */
  gitAuthor: { name: string; email: string };
}

/** A put's `params`, parsed: `labels` adds `source.labels`; durations in ms. */
export type PutSettings = Settings<typeof PUT_FIELDS>;

/** A get's `params`, parsed. */
type GetSettings = Settings<typeof GET_FIELDS>;

export interface CheckInput {
  source: SourceSettings;
  version: Partial<ResourceVersion> | undefined;
}

export interface GetInput {
  source: SourceSettings;
  version: Partial<ResourceVersion>;
  params: GetSettings;
}

export interface PutInput {
  source: SourceSettings;
  params: PutSettings;
}

const sourceSchema: SchemaObject = schemaOf(SOURCE_FIELDS);
const outParamsSchema: SchemaObject = schemaOf(PUT_FIELDS);
const inParamsSchema: SchemaObject = schemaOf(GET_FIELDS);

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
const validateOutParams = ajv.compile<RawPutParams>(outParamsSchema);
const validateInParams = ajv.compile<RawGetParams>(inParamsSchema);
const validateVersion = ajv.compile<Partial<ResourceVersion>>(versionSchema);

/** Parses a `check` request read from stdin. */
export function parseCheckRequest(raw: unknown): CheckInput {
  const request = requestObject(raw) as Partial<CheckRequest>;
  return { source: parseSource(request.source), version: parseVersion(request.version) };
}

/** Parses an `in` request read from stdin. */
export function parseGetRequest(raw: unknown): GetInput {
  const request = requestObject(raw) as Partial<GetRequest>;
  const source = parseSource(request.source);
  const version = parseVersion(request.version);
  if (version === undefined) {
    throw new UserError('version: required: Concourse runs in with the version to fetch');
  }
  const params = checked(validateInParams, request.params ?? {}, 'params', inParamsSchema);
  return { source, version, params: settingsOf(GET_FIELDS, params, durations('params')) };
}

/** Parses an `out` request read from stdin. */
export function parsePutRequest(raw: unknown): PutInput {
  const request = requestObject(raw) as Partial<PutRequest>;
  const source = parseSource(request.source);
  const params = checked(validateOutParams, request.params ?? {}, 'params', outParamsSchema);
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

function parseVersion(raw: unknown): Partial<ResourceVersion> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const given = checked(validateVersion, raw, 'version', versionSchema);
  const known: Partial<ResourceVersion> = {};
  if (given.version !== undefined) known.version = given.version;
  if (given.pr !== undefined) known.pr = given.pr;
  if (given.ref !== undefined) known.ref = given.ref;
  return known;
}

function parseSource(raw: unknown): SourceSettings {
  if (raw === undefined || raw === null) {
    throw new UserError('source: required: set at least source.repository and credentials');
  }
  refuseCredentialsInUrls(raw);
  const source = checked(validateSource, raw, 'source', sourceSchema);
  const given = settingsOf(SOURCE_FIELDS, source, durations('source'));
  const [owner = '', repo = ''] = given.repository.split('/');
  const apiUrl = given.githubApiUrl.replace(/\/+$/, '');
  const webBase = webBaseUrl(apiUrl);
  return {
    owner,
    repo,
    auth: parseAuth(source),
    apiUrl,
    gitUrl: given.gitUrl ?? `${webBase}/${owner}/${repo}.git`,
    webUrl: `${webBase}/${owner}/${repo}`,
    baseBranch: given.baseBranch,
    releaseName: given.releaseName,
    branchPrefix: given.branchPrefix,
    labels: given.labels,
    gitAuthor: { name: given.gitAuthorName, email: given.gitAuthorEmail },
    caCerts: given.caCerts,
    skipSslVerification: given.skipSslVerification,
    debug: given.debug,
    track: given.track,
    reportLowerVersions: given.reportLowerVersions,
    statusContext: given.statusContext,
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

function outSettings(params: RawPutParams, source: SourceSettings): PutSettings {
  if (params.body !== undefined && params.body_file !== undefined) {
    throw new UserError('params: set body or body_file, not both');
  }
  if (params.refresh === true) {
    // A refresh re-plans the open release PR from the repository: a checkout would be ignored,
    // and a put that names one most likely meant to deliver it.
    if (params.repository !== undefined || params.import === true) {
      throw new UserError(
        `params.refresh re-plans the open release PR from the repository and takes no ${params.import === true ? 'import' : 'checkout'}: remove params.${params.import === true ? 'import' : 'repository'} (or params.refresh) from this put`,
      );
    }
  } else if (params.repository === undefined) {
    // Ajv's words for a required field (field-errors.ts), which it no longer is with refresh.
    throw new UserError(
      `params.repository: required (${PUT_FIELDS.repository.description}), unless params.refresh: true`,
    );
  } else if (params.repository.startsWith('/') || params.repository.split('/').includes('..')) {
    throw new UserError(
      `params.repository: "${params.repository}" must be the artifact's name relative to the build's working directory, e.g. release-repo`,
    );
  }
  const given = settingsOf(PUT_FIELDS, params, durations('params'));
  if (given.waitIntervalMs < MIN_WAIT_INTERVAL_MS) {
    throw new UserError(
      `params.wait_interval: must be at least 1s (each poll asks GitHub again), got "${params.wait_interval ?? ''}"`,
    );
  }
  return { ...given, labels: [...new Set([...source.labels, ...given.labels])] };
}

/** How settingsOf reads durations: as Concourse users write them, named by their field. */
function durations(path: string) {
  return { path, parseDuration };
}

// Each poll costs a request or three of the hourly rate limit: no faster than once a second.
const MIN_WAIT_INTERVAL_MS = 1000;
