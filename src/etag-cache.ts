import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A remembered conditional response: its ETag, what was made of it, and when it was checked. */
export interface CacheEntry<T> {
  etag: string;
  value: T;
  checkedAt: number;
}

/**
 * ETags of check's conditional requests, kept in /tmp: Concourse reuses the check container for
 * a while, so an idle poll can be answered 304, which costs no rate limit. Nothing depends on the
 * cache surviving; an unreadable one is ignored.
 */
export interface EtagCache {
  get<T>(key: string): Promise<CacheEntry<T> | undefined>;
  set<T>(key: string, entry: CacheEntry<T>): Promise<void>;
}

/** A cache in one JSON file per key under `dir`; `scope` (e.g. a token hash) separates callers. */
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

/** A cache that remembers nothing (for steps other than check). */
export const noEtagCache: EtagCache = {
  get: async () => undefined,
  set: async () => undefined,
};

/** A stable, non-reversible scope for a credential, so two tokens never share cached answers. */
export function credentialScope(apiUrl: string, credential: string): string {
  return createHash('sha256').update(`${apiUrl}\0${credential}`).digest('hex');
}
