import { createHash } from 'node:crypto';

/**
 * A weak ETag over a response body and the credential that asked, quoted like GitHub's (`W/"…"`).
 * GitHub's ETags belong to the token (its answers `Vary: Authorization`): another token's ETag,
 * even for the same body, is never answered 304: a GitHub App's next installation token starts over.
 * GitHub Support: "It's currently expected for ETags to be auth token specific"
 * (https://github.com/eclipse-csi/otterdog/issues/201; also https://github.com/github/docs/issues/34689).
 * `credential` is the token's id (never its value), or null for an anonymous request.
 */
export function etagFor(body: string, credential: string | null): string {
  const hash = createHash('sha256')
    .update(credential ?? 'anonymous')
    .update('\0')
    .update(body);
  return `W/"${hash.digest('hex').slice(0, 40)}"`;
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, lists and `*` allowed). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
