import type { SandboxContext } from '../../model/context.js';
import type { Repository } from '../../model/repositories.js';

/** A date in GitHub's JSON form: ISO 8601 in UTC without milliseconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An opaque GraphQL-style node id like GitHub's (`PR_kwDO…`). */
export function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(`sandbox:${prefix}:${id}`).toString('base64url')}`;
}

/** A repository's REST base (`…/api/v3/repos/owner/name`) and web page (`…/owner/name`). */
export function repositoryUrls(
  context: SandboxContext,
  repository: Repository,
): { api: string; web: string } {
  return {
    api: `${context.urls.api}/repos/${repository.fullName}`,
    web: `${context.urls.web}/${repository.fullName}`,
  };
}
