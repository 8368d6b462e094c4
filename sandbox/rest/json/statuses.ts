import type { SandboxContext } from '../../model/context.js';
import type { Repository } from '../../model/repositories.js';
import type { CommitStatus } from '../../model/statuses.js';
import { userJson } from './accounts.js';
import { isoSeconds, nodeId, repositoryUrls } from './common.js';

/** The `simple-commit-status` fields: an item of the combined status. */
export function simpleStatusJson(
  context: SandboxContext,
  repository: Repository,
  status: CommitStatus,
): Record<string, unknown> {
  return {
    url: `${repositoryUrls(context, repository).api}/statuses/${status.sha}`,
    avatar_url: userJson(context, status.creator)['avatar_url'] ?? null,
    id: status.id,
    node_id: nodeId('SC', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: isoSeconds(status.createdAt),
    updated_at: isoSeconds(status.updatedAt),
  };
}

/** The `status` object: what POST /statuses/{sha} and GET …/statuses answer. */
export function statusJson(
  context: SandboxContext,
  repository: Repository,
  status: CommitStatus,
): Record<string, unknown> {
  return {
    ...simpleStatusJson(context, repository, status),
    creator: userJson(context, status.creator),
  };
}
