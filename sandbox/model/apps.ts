import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { Ids } from './ids.js';
import type { RateWindow, Token, Tokens } from './tokens.js';
import { rolled } from './tokens.js';

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
}

/** An app's installation on an account: which repositories its tokens reach, and how. */
export interface Installation {
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
const JWT_UNDECODABLE = 'A JSON web token could not be decoded';
const JWT_EXP_TOO_FAR = "'Expiration time' claim ('exp') is too far in the future";
const JWT_EXP_INVALID =
  "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
const JWT_IAT_INVALID =
  "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";

/** GitHub Apps, their installations, and the JWTs and installation tokens they authenticate with. */
export class Apps {
  private readonly apps = new Map<number, App>();
  private readonly installations = new Map<number, Installation>();

  constructor(
    private readonly ids: Ids,
    private readonly tokens: Tokens,
    private readonly now: () => Date,
  ) {}

  /** Registers an app with a fresh RSA key. */
  create(options: AppOptions = {}): AppCredentials {
    const id = this.ids.take('app');
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app: App = {
      id,
      slug: options.slug ?? `release-app-${id}`,
      clientId: `Iv23li${randomBytes(7).toString('hex')}`,
      publicKey,
      rate: { limit: 5000, used: 0, resetAt: new Date(this.now().getTime() + TOKEN_LIFETIME_MS) },
    };
    this.apps.set(id, app);
    return {
      id,
      slug: app.slug,
      clientId: app.clientId,
      privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    };
  }

  /** Installs an app on an account; returns the installation id. */
  install(appId: number, options: InstallationOptions): number {
    const app = this.apps.get(appId);
    if (app === undefined) throw new Error(`no app ${appId} in the sandbox`);
    const installation: Installation = {
      id: this.ids.take('installation'),
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
    return rolled(app.rate, this.now());
  }

  /** The app's installation that reaches the repository `owner/name`, if any. */
  installationFor(app: App, fullName: string): Installation | undefined {
    return [...this.installations.values()].find(
      (candidate) => candidate.app === app && reaches(candidate, fullName),
    );
  }

  /** The app's installation with this id (another app's does not count). */
  installation(app: App, id: number): Installation | undefined {
    const installation = this.installations.get(id);
    return installation?.app === app ? installation : undefined;
  }

  /** A new installation token: the installation's reach and permissions, for an hour. */
  issueToken(installation: Installation): Token {
    return this.tokens.add({
      login: `${installation.app.slug}[bot]`,
      readOnly: installation.readOnly,
      expiresAt: new Date(this.now().getTime() + TOKEN_LIFETIME_MS),
      reach: (fullName) => reaches(installation, fullName),
      workflows: installation.workflows,
      holder: 'app',
    });
  }
}

function reaches(installation: Installation, fullName: string): boolean {
  const [owner = '', repo = ''] = fullName.toLowerCase().split('/');
  if (owner !== installation.owner.toLowerCase()) return false;
  return installation.repositories === null || installation.repositories.has(repo);
}
