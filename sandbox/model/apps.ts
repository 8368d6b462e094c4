import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { Accounts } from './accounts.js';
import { isoSeconds } from '../rest/json/common.js';
import { docs, notFound } from '../rest/response.js';
import type { AppRouteRequest } from '../rest/route-types.js';
import type { RestResponse } from '../rest/response.js';
import type { RateWindow, Tokens } from './tokens.js';
import type { Urls } from './urls.js';

export interface AppOptions {
  /** The app's slug; its bot account is `<slug>[bot]` (default `release-app-<id>`). */
  slug?: string;
}

/** What a test needs to authenticate as a GitHub App, as GitHub shows it once created. */
export interface AppCredentials {
  id: number;
  slug: string;
  clientId: string;
  /** PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`), the form of the `.pem` GitHub lets you download. */
  privateKey: string;
}

export interface InstallationOptions {
  /** The user or organization the app is installed on. */
  owner: string;
  /** Repository names under `owner` it may reach; absent: all of them. */
  repositories?: string[];
  /** Contents and pull requests read-only: writes are refused like a token without write scope. */
  readOnly?: boolean;
  /** The Workflows permission (write): its tokens may push changes under `.github/workflows/`. */
  workflows?: boolean;
}

/** A GitHub App registered in the sandbox. */
export interface App {
  id: number;
  slug: string;
  clientId: string;
  publicKey: KeyObject;
  rate: RateWindow;
  createdAt: Date;
}

interface Installation {
  id: number;
  app: App;
  owner: string;
  repositories: Set<string> | null;
  readOnly: boolean;
  workflows: boolean;
  createdAt: Date;
}

// https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-an-installation-access-token-for-a-github-app
// "The installation access token will expire after 1 hour."
const TOKEN_LIFETIME_MS = 60 * 60 * 1000;
// https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
// exp: "no more than 10 minutes into the future".
const JWT_MAX_LIFETIME_S = 10 * 60;

// GitHub's answers to a JWT it refuses (all 401), as clients report them: @octokit/auth-app
// matches the last three to correct clock skew (https://github.com/octokit/auth-app.js/issues/698).
export const JWT_UNDECODABLE = 'A JSON web token could not be decoded';
export const JWT_EXP_TOO_FAR = "'Expiration time' claim ('exp') is too far in the future";
export const JWT_EXP_INVALID =
  "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
export const JWT_IAT_INVALID =
  "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";

export const APP_DOCS = {
  repoInstallation: docs('apps/apps#get-a-repository-installation-for-the-authenticated-app'),
  accessToken: docs('apps/apps#create-an-installation-access-token-for-an-app'),
};

/** GitHub Apps, their installations, and the JWTs and installation tokens they authenticate with. */
export class Apps {
  private readonly apps = new Map<number, App>();
  private readonly installations = new Map<number, Installation>();
  private nextAppId = 301;
  private nextInstallationId = 70001;

  constructor(
    private readonly accounts: Accounts,
    private readonly tokens: Tokens,
    private readonly urls: Urls,
    private readonly now: () => Date,
  ) {}

  create(options: AppOptions = {}): AppCredentials {
    const id = this.nextAppId++;
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app: App = {
      id,
      slug: options.slug ?? `release-app-${id}`,
      clientId: `Iv23li${randomBytes(7).toString('hex')}`,
      publicKey,
      rate: { limit: 5000, used: 0, resetAt: new Date(this.now().getTime() + TOKEN_LIFETIME_MS) },
      createdAt: this.now(),
    };
    this.apps.set(id, app);
    return {
      id,
      slug: app.slug,
      clientId: app.clientId,
      privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    };
  }

  install(appId: number, options: InstallationOptions): number {
    const app = this.apps.get(appId);
    if (app === undefined) throw new Error(`no app ${appId} in the sandbox`);
    const installation: Installation = {
      id: this.nextInstallationId++,
      app,
      owner: options.owner,
      repositories:
        options.repositories === undefined
          ? null
          : new Set(options.repositories.map((name) => name.toLowerCase())),
      readOnly: options.readOnly ?? false,
      workflows: options.workflows ?? false,
      createdAt: this.now(),
    };
    this.installations.set(installation.id, installation);
    return installation.id;
  }

  /**
   * The app a JWT from an `Authorization` header proves, or GitHub's 401 message. The rules are
   * GitHub's: RS256 signed with the app's key, `iss` the app's id (or client id), `iat` not in
   * the future, `exp` in the future and at most 10 minutes ahead.
   */
  authenticate(jwt: string | null): App | { refused: string } {
    const parts = (jwt ?? '').split('.');
    if (parts.length !== 3) return { refused: JWT_UNDECODABLE };
    const [header = '', payload = '', signature = ''] = parts;
    let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
    try {
      const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as {
        alg?: unknown;
      };
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
      if (head.alg !== 'RS256' || typeof claims !== 'object' || claims === null) {
        return { refused: JWT_UNDECODABLE };
      }
    } catch {
      return { refused: JWT_UNDECODABLE };
    }
    const app = [...this.apps.values()].find(
      (candidate) =>
        String(candidate.id) === String(claims.iss) || candidate.clientId === claims.iss,
    );
    const signed = Buffer.from(`${header}.${payload}`);
    if (
      app === undefined ||
      !verify('sha256', signed, app.publicKey, Buffer.from(signature, 'base64url'))
    ) {
      return { refused: JWT_UNDECODABLE };
    }
    const now = Math.floor(this.now().getTime() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now) return { refused: JWT_EXP_INVALID };
    if (claims.exp > now + JWT_MAX_LIFETIME_S) return { refused: JWT_EXP_TOO_FAR };
    if (!Number.isInteger(claims.iat) || (claims.iat as number) > now) {
      return { refused: JWT_IAT_INVALID };
    }
    return app;
  }

  /** The app's own rate-limit window (JWT requests do not use any token's). */
  window(app: App): RateWindow {
    const now = this.now();
    if (now.getTime() >= app.rate.resetAt.getTime()) {
      app.rate.used = 0;
      app.rate.resetAt = new Date(now.getTime() + TOKEN_LIFETIME_MS);
    }
    return app.rate;
  }

  /** `GET /repos/{owner}/{repo}/installation`: the app's installation that reaches the repository. */
  async handleRepositoryInstallation({ app, params }: AppRouteRequest): Promise<RestResponse> {
    const fullName = `${params['owner'] ?? ''}/${params['repo'] ?? ''}`;
    const installation = [...this.installations.values()].find(
      (candidate) => candidate.app === app && reaches(candidate, fullName),
    );
    if (installation === undefined) return notFound(APP_DOCS.repoInstallation);
    return { status: 200, body: this.installationJson(installation) };
  }

  /** `POST /app/installations/{installation_id}/access_tokens`: a token that expires in an hour. */
  async handleCreateAccessToken({ app, params }: AppRouteRequest): Promise<RestResponse> {
    const installation = this.installations.get(Number(params['installation_id']));
    if (installation === undefined || installation.app !== app) {
      return notFound(APP_DOCS.accessToken);
    }
    const expiresAt = new Date(this.now().getTime() + TOKEN_LIFETIME_MS);
    const token = this.tokens.add({
      login: `${app.slug}[bot]`,
      readOnly: installation.readOnly,
      expiresAt,
      reach: (fullName) => reaches(installation, fullName),
      workflows: installation.workflows,
      holder: 'app',
    });
    return {
      status: 201,
      body: {
        token: token.value,
        expires_at: isoSeconds(expiresAt),
        permissions: permissions(installation),
        repository_selection: installation.repositories === null ? 'all' : 'selected',
      },
    };
  }

  private installationJson(installation: Installation): Record<string, unknown> {
    const account = this.accounts.get(installation.owner);
    const organization = account.type === 'Organization';
    return {
      id: installation.id,
      client_id: installation.app.clientId,
      account: this.accounts.userJson(installation.owner),
      repository_selection: installation.repositories === null ? 'all' : 'selected',
      access_tokens_url: `${this.urls.api}/app/installations/${installation.id}/access_tokens`,
      repositories_url: `${this.urls.api}/installation/repositories`,
      html_url: organization
        ? `${this.urls.web}/organizations/${installation.owner}/settings/installations/${installation.id}`
        : `${this.urls.web}/settings/installations/${installation.id}`,
      app_id: installation.app.id,
      app_slug: installation.app.slug,
      target_id: account.id,
      target_type: organization ? 'Organization' : 'User',
      permissions: permissions(installation),
      events: [],
      created_at: isoSeconds(installation.createdAt),
      updated_at: isoSeconds(installation.createdAt),
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: null,
      suspended_at: null,
    };
  }
}

function reaches(installation: Installation, fullName: string): boolean {
  const [owner = '', repo = ''] = fullName.toLowerCase().split('/');
  if (owner !== installation.owner.toLowerCase()) return false;
  return installation.repositories === null || installation.repositories.has(repo);
}

function permissions(installation: Installation): Record<string, string> {
  const level = installation.readOnly ? 'read' : 'write';
  return {
    contents: level,
    metadata: 'read',
    pull_requests: level,
    ...(installation.workflows ? { workflows: 'write' } : {}),
  };
}
