import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildInfo } from '../build-info.js';
import { UserError } from '../errors.js';
import { classifyFailure, statusOf, type GitHub, type PullRequest } from '../github.js';
import type { Logger } from '../log.js';
import {
  characters,
  MAX_BODY_CHARACTERS,
  MAX_TITLE_CHARACTERS,
  RESERVED_BODY_CHARACTERS,
  renderImportBody,
  renderPullBody,
  type PullContent,
} from '../pr-body.js';
import type { ReleaseTarget } from '../release-history.js';
import type { OutSettings, SourceSettings } from '../settings.js';
import { renderTemplate } from '../template.js';

/** The texts of a release PR and its commit, rendered (and so checked) before any write. */
export interface PullText {
  title: string;
  intro: string | undefined;
  commitSubject: string;
  buildUrl: string | undefined;
  buildLabel: string | undefined;
}

/** Renders params.title, body/body_file and commit_message for a release. */
export async function renderPullText(options: {
  params: OutSettings;
  sources: string;
  env: NodeJS.ProcessEnv;
  name: string;
  version: string;
  kind: keyof typeof DEFAULT_SUBJECT;
}): Promise<PullText> {
  const { params } = options;
  const build = buildInfo(options.env);
  const values = {
    release_name: options.name,
    version: options.version,
    build_url: build.url ?? '',
  };
  const user = await userBody(params, options.sources);
  const title = renderTemplate(
    params.title ?? DEFAULT_SUBJECT[options.kind],
    values,
    'params.title',
  );
  refuseOverlong(params.title === undefined ? 'the PR title' : 'params.title', title, {
    maximum: MAX_TITLE_CHARACTERS,
    why: `GitHub allows at most ${MAX_TITLE_CHARACTERS} in a PR title`,
  });
  const intro = user === undefined ? undefined : renderTemplate(user.text, values, user.field);
  if (user !== undefined) {
    refuseOverlong(user.field, intro ?? '', {
      maximum: MAX_BODY_CHARACTERS - RESERVED_BODY_CHARACTERS,
      why: `a PR body holds at most ${MAX_BODY_CHARACTERS.toLocaleString('en-US')} characters, and the resource's own text (the builds, the lock note, the machine-readable block) keeps ${RESERVED_BODY_CHARACTERS.toLocaleString('en-US')} of them`,
    });
  }
  return {
    title,
    intro,
    commitSubject: renderTemplate(
      params.commitMessage ?? DEFAULT_SUBJECT[options.kind],
      values,
      'params.commit_message',
    ),
    buildUrl: build.url,
    buildLabel: build.label,
  };
}

export interface PullOptions {
  github: GitHub;
  log: Logger;
  source: SourceSettings;
  params: OutSettings;
  target: ReleaseTarget;
  text: PullText;
  sleep: (ms: number) => Promise<void>;
  /** Pauses between the brief retries of labels, reviewers and assignees. */
  decorateRetryDelaysMs: readonly number[];
}

/** The default title and commit subject of a PR (templates, see params.title). */
export const DEFAULT_SUBJECT = {
  release: 'Final release {{version}}',
  import: 'Import the final releases of {{release_name}} up to {{version}}',
} as const;

/** Opens the release PR for the lock branch's commit `sha`, or finds the one that exists. */
export async function openPull(
  options: PullOptions,
  content: PullContent,
  sha: string,
): Promise<PullRequest> {
  const { source, target, text } = options;
  const common = {
    repositoryUrl: source.webUrl,
    base: target.base,
    buildUrl: text.buildUrl,
    buildLabel: text.buildLabel,
    track: source.track,
    intro: text.intro,
  };
  const request = {
    head: target.lockBranch,
    base: target.base,
    title: text.title,
    body:
      content.kind === 'release'
        ? renderPullBody({ ...common, release: content.release })
        : renderImportBody({ ...common, imported: content.imported }),
    draft: options.params.draft,
  };
  const pull = await createOrFind(options, request, sha);
  await decorate(options, pull);
  return pull;
}

// Checked before anything is pushed: GitHub would refuse the PR with a 422 after the lock branch
// was pushed, and every re-run would fail the same way.
function refuseOverlong(
  field: string,
  text: string,
  limit: { maximum: number; why: string },
): void {
  const length = characters(text);
  if (length <= limit.maximum) return;
  throw new UserError(
    `${field} is ${length.toLocaleString('en-US')} characters long once rendered: ${limit.why}: shorten it to ${limit.maximum.toLocaleString('en-US')} characters or fewer`,
  );
}

async function userBody(
  params: OutSettings,
  sources: string,
): Promise<{ text: string; field: string } | undefined> {
  if (params.body !== undefined) return { text: params.body, field: 'params.body' };
  if (params.bodyFile === undefined) return undefined;
  const text = await readFile(resolve(sources, params.bodyFile), 'utf8').catch(() => undefined);
  if (text === undefined)
    throw new UserError(`params.body_file: ${params.bodyFile} cannot be read in the build`);
  return { text, field: 'params.body_file' };
}

const CREATE_ATTEMPTS = 3;

// POST /pulls is never re-sent blindly: an answer lost on the way may hide a PR that exists. Read
// the state instead; GitHub's one-open-PR-per-head rule makes a second POST safe after that, even
// though the pulls list may lag behind a PR just created.
async function createOrFind(
  options: PullOptions,
  request: { head: string; base: string; title: string; body: string; draft: boolean },
  sha: string,
): Promise<PullRequest> {
  const { github, target } = options;
  for (let attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
    try {
      return await github.createPull(request);
    } catch (error) {
      if (error instanceof UserError) throw error; // GitHub's answer, already explained
      const failure = classifyFailure(error);
      const status = statusOf(error);
      if (failure === 'no-commits') {
        throw new UserError(
          `the release commit adds nothing to ${target.base}: the release is already there`,
        );
      }
      if (status === 401 || status === 403) {
        throw new UserError(
          `GitHub refused to open the release PR (${status}): the token needs read and write access to pull requests`,
        );
      }
      const [existing] = await github.listPulls({
        head: `${github.owner}:${target.lockBranch}`,
        base: target.base,
        state: 'open',
      });
      if (existing !== undefined) {
        if (existing.headSha === sha) return existing;
        throw new UserError(
          `release PR #${existing.number} (${existing.htmlUrl}) was opened from ${target.lockBranch} by someone else meanwhile: re-run to queue behind it`,
        );
      }
      if (failure !== 'pull-exists' && status !== undefined && status < 500) {
        throw new Error(`opening the release PR from ${target.lockBranch}`, { cause: error });
      }
      options.log.warn(
        `opening the PR failed (${status ?? 'no answer'}) and no PR from ${target.lockBranch} is listed yet: trying again`,
      );
      await options.sleep(attempt * 1000);
    }
  }
  throw new UserError(
    `GitHub did not confirm the release PR from ${target.lockBranch}: re-run the build (the lock branch is this release's and will be adopted)`,
  );
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
