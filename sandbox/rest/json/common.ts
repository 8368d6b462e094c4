/** A date in GitHub's JSON form: ISO 8601 in UTC without milliseconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An opaque GraphQL-style node id like GitHub's (`PR_kwDO…`). */
export function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(`sandbox:${prefix}:${id}`).toString('base64url')}`;
}
