import { randomBytes } from 'node:crypto';
import type { Ids } from './ids.js';

export interface TokenOptions {
  /** The account the token acts as (default `release-bot`). */
  login?: string;
  /** Reads only: REST writes get 403 and pushes are refused, like a token without write scope. */
  readOnly?: boolean;
  /** Primary rate limit per hour (GitHub's is 5000 for a token). */
  rateLimit?: number;
  /** When the token stops working (sandbox clock); absent: never. Installation tokens do. */
  expiresAt?: Date;
  /** Which repositories (`owner/name`) it reaches; absent: all. Installation tokens are limited. */
  reach?: (fullName: string) => boolean;
  /**
   * May push changes under `.github/workflows/`: a classic token's `workflow` scope, a
   * fine-grained token's or an App's Workflows permission. Default false, as for a token made
   * with repository access alone.
   */
  workflows?: boolean;
  /** Who holds it, for GitHub's refusal texts: a person's token (default) or an App's. */
  holder?: TokenHolder;
  /**
   * May create commit statuses: a fine-grained token's or an App's "Commit statuses: write", a
   * classic token's `repo:status`. Default true; false answers POST /statuses/{sha} with 403.
   */
  statuses?: boolean;
}

type TokenHolder = 'personal' | 'app';

export interface Token {
  /** What the request log shows instead of the secret. */
  id: string;
  value: string;
  login: string;
  readOnly: boolean;
  rate: RateWindow;
  expiresAt: Date | null;
  reach: (fullName: string) => boolean;
  workflows: boolean;
  holder: TokenHolder;
  statuses: boolean;
}

export interface RateWindow {
  limit: number;
  used: number;
  resetAt: Date;
}

const HOUR = 60 * 60 * 1000;

/** The tokens the sandbox accepts and each one's primary rate-limit window. */
export class Tokens {
  private readonly byValue = new Map<string, Token>();
  /** Unauthenticated requests share one window of 60 an hour, like GitHub's per-IP limit. */
  private readonly anonymous: RateWindow = { limit: 60, used: 0, resetAt: new Date(0) };

  constructor(
    private readonly ids: Ids,
    private readonly now: () => Date,
  ) {}

  /** A new token. */
  add(options: TokenOptions = {}): Token {
    const token: Token = {
      id: `token-${this.ids.take('token')}`,
      value: `ghs_sandbox${randomBytes(16).toString('hex')}`,
      login: options.login ?? 'release-bot',
      readOnly: options.readOnly ?? false,
      expiresAt: options.expiresAt ?? null,
      reach: options.reach ?? (() => true),
      workflows: options.workflows ?? false,
      holder: options.holder ?? 'personal',
      statuses: options.statuses ?? true,
      rate: {
        limit: options.rateLimit ?? 5000,
        used: 0,
        resetAt: new Date(this.now().getTime() + HOUR),
      },
    };
    this.byValue.set(token.value, token);
    return token;
  }

  /** The token with this value, unless it has expired (GitHub then answers 401 Bad credentials). */
  find(value: string): Token | undefined {
    const token = this.byValue.get(value);
    if (token?.expiresAt != null && token.expiresAt.getTime() <= this.now().getTime()) {
      return undefined;
    }
    return token;
  }

  revoke(value: string): void {
    this.byValue.delete(value);
  }

  all(): Token[] {
    return [...this.byValue.values()];
  }

  /** The token's window (the anonymous one without a token), rolled over when its hour is up. */
  window(token: Token | undefined): RateWindow {
    return rolled(token?.rate ?? this.anonymous, this.now());
  }
}

/** `window` itself, started over if its hour is up. */
export function rolled(window: RateWindow, now: Date): RateWindow {
  if (now.getTime() >= window.resetAt.getTime()) {
    window.used = 0;
    window.resetAt = new Date(now.getTime() + HOUR);
  }
  return window;
}
