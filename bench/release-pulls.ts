// Release PRs made by hand in the sandbox, shaped as `out` opens them (with the body's
// machine-readable block, a hint check compares with what the merge brought), and merged as a
// human would.
import type { Sandbox } from '../sandbox/index.js';
import { renderPullBody } from '../src/rules/pull-body.js';
import { OWNER } from './context.js';

/** The body `out` writes for a release, with no new builds listed. */
export function releasePullBody(options: {
  sandbox: Sandbox;
  repo: string;
  releaseName: string;
  version: string;
  source: string;
}): string {
  return renderPullBody({
    release: {
      name: options.releaseName,
      version: options.version,
      key: `bench-${options.releaseName}-${options.version}`,
      source: options.source,
      newBuilds: [],
      jobs: 1,
      packages: 1,
    },
    repositoryUrl: `${options.sandbox.webUrl}/${OWNER}/${options.repo}`,
    base: 'main',
    buildUrl: undefined,
    buildLabel: undefined,
    track: 'both',
    intro: undefined,
  });
}

/** Opens a release PR from `head` into main and merges it; returns its number and merge commit. */
export async function mergeReleasePull(
  sandbox: Sandbox,
  options: { repo: string; head: string; releaseName: string; version: string; source: string },
): Promise<{ number: number; mergeSha: string }> {
  const number = await sandbox.createPull(OWNER, options.repo, {
    head: options.head,
    base: 'main',
    title: `Final release ${options.version}`,
    body: releasePullBody({ sandbox, ...options }),
  });
  const mergeSha = await sandbox.mergePull(OWNER, options.repo, number, { method: 'merge' });
  return { number, mergeSha };
}
