import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { MetadataField } from '../../concourse/contract.js';
import { buildInfo } from '../../concourse/build-info.js';
import { UserError } from '../../errors.js';
import { GitHubError } from '../../github/failures.js';
import type { GitHub, PullRequest } from '../../github/github.js';
import type { Logger } from '../../io/log.js';
import { parsePullBlock } from '../../rules/pull-block.js';
import { renderImportBody, renderPullBody, type PullContent } from '../../rules/pull-body.js';
import { composePullText, type PullKind, type PullText } from '../../rules/pull-text.js';
import type { ReleaseTarget } from '../../rules/lock-state.js';
import type { PutSettings, SourceSettings } from '../../concourse/settings.js';

export interface PullOptions {
  github: GitHub;
  log: Logger;
  source: SourceSettings;
  params: PutSettings;
  target: ReleaseTarget;
  text: PullText;
  /** The key of the release this put delivers: a PR is this put's only if its text names it. */
  key: string;
  sleep: (ms: number) => Promise<void>;
  /** Pauses between the brief retries of labels, reviewers and assignees. */
  decorateRetryDelaysMs: readonly number[];
}

/** Renders params.title, body/body_file and commit_message, reading body_file in the build. */
export async function renderPullText(options: {
  params: PutSettings;
  sources: string;
  env: NodeJS.ProcessEnv;
  name: string;
  version: string;
  kind: PullKind;
}): Promise<PullText> {
  const { params } = options;
  return composePullText({
    title: params.title,
    commitMessage: params.commitMessage,
    user: await userBody(params, options.sources),
    kind: options.kind,
    release: { name: options.name, version: options.version },
    build: buildInfo(options.env),
  });
}

/**
 * What opening the release PR found: this put's PR (`ours`, with `created` when this call made
 * it); a PR on this put's commit whose text names another release or none (`foreign-text`: it
 * was there before, or someone else opened it); or a PR whose head is another commit
 * (`other-head`: the lock changed hands meanwhile). Only `ours` may be returned by a put.
 */
export type PullOutcome =
  | { kind: 'ours'; pull: PullRequest; created: boolean }
  | { kind: 'foreign-text'; pull: PullRequest }
  | { kind: 'other-head'; pull: PullRequest };

/** Opens the release PR for the lock branch's commit `sha`, or finds the one that exists. */
export async function openPull(
  options: PullOptions,
  content: PullContent,
  sha: string,
): Promise<PullOutcome> {
  const outcome = await createOrFind(options, pullRequestText(options, content), sha);
  if (outcome.kind === 'ours') await decorate(options, outcome.pull);
  return outcome;
}

/**
 * Rewrites the title and body of an open PR whose head is this put's commit but whose text names
 * another release (the put that owns the head repairs it), and decorates it.
 */
export async function repairPull(
  options: PullOptions,
  content: PullContent,
  pull: PullRequest,
): Promise<PullRequest> {
  const text = pullRequestText(options, content);
  options.log.warn(
    `PR #${pull.number} carries this release's commit but its text names ${describeText(pull)}: rewriting its title and body`,
  );
  const repaired = await options.github.updatePull(pull.number, {
    title: text.title,
    body: text.body,
  });
  await decorate(options, repaired);
  return repaired;
}

/** Whether a PR's machine-readable block names this put's release (by its key). */
export function textIsOurs(pull: PullRequest, key: string): boolean {
  return parsePullBlock(pull.body)?.key === key;
}

function describeText(pull: PullRequest): string {
  const block = parsePullBlock(pull.body);
  return block === undefined ? 'no release' : `${block.release} ${block.version}`;
}

function pullRequestText(
  options: PullOptions,
  content: PullContent,
): { head: string; base: string; title: string; body: string; draft: boolean } {
  const { source, target, text } = options;
  const common = {
    repositoryUrl: source.webUrl,
    base: target.base,
    buildUrl: text.buildUrl,
    buildLabel: text.buildLabel,
    track: source.track,
    intro: text.intro,
  };
  return {
    head: target.lockBranch,
    base: target.base,
    title: text.title,
    body:
      content.kind === 'release'
        ? renderPullBody({ ...common, release: content.release })
        : renderImportBody({ ...common, imported: content.imported }),
    draft: options.params.draft,
  };
}

async function userBody(
  params: PutSettings,
  sources: string,
): Promise<{ text: string; field: string } | undefined> {
  if (params.body !== undefined) return { text: params.body, field: 'params.body' };
  if (params.bodyFile === undefined) return undefined;
  const text = await readFile(resolve(sources, params.bodyFile), 'utf8').catch(() => undefined);
  if (text === undefined)
    throw new UserError(`params.body_file: ${params.bodyFile} cannot be read in the build`);
  return { text, field: 'params.body_file' };
}

// Pauses before asking again while GitHub catches up with a push or a new PR (~15 s in all).
const CREATE_PAUSES_MS = [1000, 2000, 4000, 8000];

// POST /pulls is never re-sent blindly: an answer lost on the way may hide a PR that exists. Read
// the state instead; GitHub's one-open-PR-per-head rule makes a second POST safe after that, even
// though the pulls list may lag behind a PR just created. Whatever PR is found or made is judged
// by its head: only a PR on this put's commit, with this put's text, is this put's.
async function createOrFind(
  options: PullOptions,
  request: { head: string; base: string; title: string; body: string; draft: boolean },
  sha: string,
): Promise<PullOutcome> {
  const { github, target } = options;
  let lastFailure: 'no-commits' | 'unconfirmed' = 'unconfirmed';
  for (let attempt = 0; attempt <= CREATE_PAUSES_MS.length; attempt++) {
    if (attempt > 0) await options.sleep(CREATE_PAUSES_MS[attempt - 1] ?? 0);
    try {
      const pull = await github.createPull(request);
      // GitHub opens the PR on whatever the branch holds when the request arrives.
      return pull.headSha === sha
        ? { kind: 'ours', pull, created: true }
        : { kind: 'other-head', pull };
    } catch (error) {
      // A UserError is GitHub's answer, already explained (credentials, permissions, limits).
      if (!(error instanceof GitHubError)) throw error;
      const { failure, status } = error;
      if (failure === 'no-commits') {
        lastFailure = 'no-commits';
        // Right after a push GitHub may not have caught up with it yet: read what the branch has.
        const comparison = await github.compareCommits(target.base, sha);
        if (comparison !== undefined && comparison.aheadBy === 0) {
          throw new UserError(
            `the release commit adds nothing to ${target.base}: the release is already there`,
          );
        }
        options.log.warn(
          `GitHub answered "No commits between ${target.base} and ${target.lockBranch}", but ${sha.slice(0, 7)} is ${comparison?.aheadBy ?? 'some'} commit(s) ahead of ${target.base}: asking again`,
        );
        continue;
      }
      lastFailure = 'unconfirmed';
      const found = await findOpenPull(options);
      if (found !== undefined) return judge(found, sha, options.key);
      if (failure !== 'pull-exists' && status !== undefined && status < 500) throw error;
      options.log.warn(
        `opening the PR failed (${status ?? 'no answer'}) and no PR from ${target.lockBranch} is listed yet: trying again`,
      );
    }
  }
  throw new UserError(
    lastFailure === 'no-commits'
      ? `GitHub kept answering "No commits between ${target.base} and ${target.lockBranch}" although the lock branch carries the release: re-run the build (the lock branch is this release's and will be adopted)`
      : `GitHub did not confirm the release PR from ${target.lockBranch}: re-run the build (the lock branch is this release's and will be adopted)`,
  );
}

/** The open PR from the lock branch, into the base if there is one, else into any base. */
async function findOpenPull(options: PullOptions): Promise<PullRequest | undefined> {
  const { github, target } = options;
  const open = await github.listPulls({
    head: `${github.owner}:${target.lockBranch}`,
    state: 'open',
    perPage: 30,
  });
  return open.find((pull) => pull.baseRef === target.base) ?? open[0];
}

function judge(pull: PullRequest, sha: string, key: string): PullOutcome {
  if (pull.headSha !== sha) return { kind: 'other-head', pull };
  return textIsOurs(pull, key)
    ? { kind: 'ours', pull, created: false }
    : { kind: 'foreign-text', pull };
}

// Labels, reviewers and assignees right after creation sometimes fail while GitHub settles the
// new PR: retried briefly, then only warned about, since the PR itself exists.
async function decorate(options: PullOptions, pull: PullRequest): Promise<void> {
  const { github, params } = options;
  const steps: Array<[string, () => Promise<void>]> = [
    ['labels', () => github.addLabels(pull.number, params.labels)],
    [
      'reviewers',
      () => github.requestReviewers(pull.number, params.reviewers, params.teamReviewers),
    ],
    ['assignees', () => github.addAssignees(pull.number, params.assignees)],
  ];
  for (const [what, action] of steps) {
    for (let attempt = 0; ; attempt++) {
      try {
        await action();
        break;
      } catch (error) {
        const delay = options.decorateRetryDelaysMs[attempt];
        if (delay === undefined) {
          options.log.warn(
            `could not set the ${what} of PR #${pull.number}: ${error instanceof Error ? error.message : String(error)}`,
          );
          break;
        }
        await options.sleep(delay);
      }
    }
  }
}

/** The put's metadata naming its PR: `pr` and `pr_url`, or nothing when there is none. */
export function pullMetadata(pull: PullRequest | undefined): MetadataField[] {
  return pull === undefined
    ? []
    : [
        { name: 'pr', value: String(pull.number) },
        { name: 'pr_url', value: pull.htmlUrl },
      ];
}
