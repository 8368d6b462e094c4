import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Conditional } from '../github/github.js';

/** A remembered conditional response: its ETag, what was made of it, and when it was checked. */
export interface CacheEntry<T> {
  /** '' when the answer had none (a 404): it is then asked for again unconditionally. */
  etag: string;
  value: T;
  checkedAt: number;
}

/**
 * ETags of check's conditional requests, kept in /tmp: Concourse reuses the check container for
 * a while, so an idle poll can be answered 304, which costs no rate limit (and a GitHub App's
 * installation token, to which those ETags belong). Files are 0600 in a 0700 directory. Nothing
 * depends on the cache surviving; an unreadable one is ignored.
 */
export interface EtagCache {
  get<T>(key: string): Promise<CacheEntry<T> | undefined>;
  set<T>(key: string, entry: CacheEntry<T>): Promise<void>;
}

/** A cache in one JSON file per key under `dir`; `scope` (see cacheScope) separates callers. */
export function createEtagCache(options: { scope: string; dir?: string }): EtagCache {
  const dir = options.dir ?? join(tmpdir(), 'bosh-release-pr-cache');
  const file = (key: string) =>
    join(
      dir,
      `${createHash('sha256').update(`${options.scope}\0${key}`).digest('hex').slice(0, 32)}.json`,
    );
  return {
    async get<T>(key: string) {
      try {
        const entry = JSON.parse(await readFile(file(key), 'utf8')) as CacheEntry<T> & {
          key?: string;
        };
        return entry.key === key && typeof entry.etag === 'string' ? entry : undefined;
      } catch {
        return undefined;
      }
    },
    async set<T>(key: string, entry: CacheEntry<T>) {
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const target = file(key);
        const temp = `${target}.${process.pid}.tmp`;
        await writeFile(temp, JSON.stringify({ ...entry, key }), { mode: 0o600 });
        await rename(temp, target);
      } catch {
        // A cache that cannot be written only costs the next poll a full answer.
      }
    },
  };
}

/**
 * What rarely changes — the default branch, config/final.yml's name, the base's starting release —
 * check asks GitHub again at most this often, so that an idle poll stays one request. A change is
 * seen at most this late; the requests are conditional anyway.
 */
const REVALIDATE_AFTER_MS = 5 * 60_000;

/**
 * A value GitHub is asked for at most once per REVALIDATE_AFTER_MS: younger, it is taken from the
 * cache without a request; older, it is revalidated with a conditional request (a 304 costs no
 * rate limit). For what rarely changes (release-target.ts, starting-version.ts).
 */
export async function revalidated<T>(options: {
  cache: EtagCache;
  key: string;
  now?: (() => number) | undefined;
  ask: (etag: string | undefined) => Promise<Conditional<T>>;
}): Promise<T> {
  const { cache, key } = options;
  const now = (options.now ?? Date.now)();
  const cached = await cache.get<T>(key);
  if (cached !== undefined && now - cached.checkedAt < REVALIDATE_AFTER_MS) return cached.value;
  const answer = await options.ask(cached?.etag || undefined);
  if (!answer.modified) {
    if (cached === undefined)
      throw new Error(`GitHub answered 304 to an unconditional request (${key})`);
    await cache.set(key, { ...cached, checkedAt: now });
    return cached.value;
  }
  await cache.set(key, { etag: answer.etag ?? '', value: answer.value, checkedAt: now });
  return answer.value;
}

/** A cache that remembers nothing (for steps other than check). */
export const noEtagCache: EtagCache = {
  get: async () => undefined,
  set: async () => undefined,
};

/**
 * A stable, non-reversible scope for one source's entries: everything that determines an answer
 * but the key itself — the server, the repository and the credential (ETags belong to a token).
 * Two resources sharing a check container's /tmp never read each other's entries.
 */
export function cacheScope(options: {
  apiUrl: string;
  owner: string;
  repo: string;
  credential: string;
}): string {
  const repository = `${options.owner}/${options.repo}`.toLowerCase();
  return createHash('sha256')
    .update([options.apiUrl, repository, options.credential].join('\0'))
    .digest('hex');
}
