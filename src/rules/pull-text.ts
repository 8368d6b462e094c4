import { UserError } from '../errors.js';
import {
  characters,
  MAX_BODY_CHARACTERS,
  MAX_TITLE_CHARACTERS,
  RESERVED_BODY_CHARACTERS,
} from './body-fit.js';
import { renderTemplate } from './template.js';

// The texts a put writes besides the body: the PR's title, the user's text shown above the
// generated body, and the commit's subject, rendered from params' templates and refused before
// anything is pushed when GitHub would refuse them.

/** The texts of a release PR and its commit, rendered (and so checked) before any write. */
export interface PullText {
  title: string;
  intro: string | undefined;
  commitSubject: string;
  buildUrl: string | undefined;
  buildLabel: string | undefined;
}

/** The default title and commit subject of a PR (templates, see params.title). */
const DEFAULT_SUBJECT = {
  release: 'Final release {{version}}',
  import: 'Import the final releases of {{release_name}} up to {{version}}',
} as const;

/** What a PR delivers: one new release, or an import of every release so far. */
export type PullKind = keyof typeof DEFAULT_SUBJECT;

/**
 * Renders the title (params.title or the default for `kind`), the user's text and the commit
 * subject (params.commit_message or the default); refuses a title or user text longer than
 * GitHub allows.
 */
export function composePullText(options: {
  title: string | undefined;
  commitMessage: string | undefined;
  /** The user's text and the field it came from (params.body or params.body_file). */
  user: { text: string; field: string } | undefined;
  kind: PullKind;
  release: { name: string; version: string };
  build: { url: string | undefined; label: string | undefined };
}): PullText {
  const { user, build } = options;
  const values = {
    release_name: options.release.name,
    version: options.release.version,
    build_url: build.url ?? '',
  };
  const title = renderTemplate(
    options.title ?? DEFAULT_SUBJECT[options.kind],
    values,
    'params.title',
  );
  refuseOverlong(options.title === undefined ? 'the PR title' : 'params.title', title, {
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
      options.commitMessage ?? DEFAULT_SUBJECT[options.kind],
      values,
      'params.commit_message',
    ),
    buildUrl: build.url,
    buildLabel: build.label,
  };
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
