import type { SandboxContext } from '../../model/context.js';
import type { Repository } from '../../model/repositories.js';
import { nodeId, repositoryUrls } from './common.js';

/** GitHub's `git-ref` object. */
export function refJson(
  context: SandboxContext,
  repository: Repository,
  ref: string,
  sha: string,
  type: string,
): Record<string, unknown> {
  const { api } = repositoryUrls(context, repository);
  return {
    ref,
    node_id: nodeId('REF', Number.parseInt(sha.slice(0, 8), 16)),
    url: `${api}/git/${ref}`,
    object: { type, sha, url: `${api}/git/${type === 'tag' ? 'tags' : 'commits'}/${sha}` },
  };
}
