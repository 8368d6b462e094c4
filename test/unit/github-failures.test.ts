// GitHub's refusals as the seam names them: its texts classified in one place (github/failures.ts).
import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../src/errors.js';
import {
  classifyFailure,
  GitHubError,
  isGitHubFailure,
  toGitHubError,
} from '../../src/github/failures.js';

/** An error shaped as Octokit's RequestError: a status and GitHub's JSON answer. */
function refusal(status: number, message: string, errors: unknown[] = []): Error {
  return Object.assign(new Error(message), { status, response: { data: { message, errors } } });
}

const context = { slug: 'acme/example-release', credentialFields: 'source.access_token' };

describe('classifyFailure', () => {
  it.each([
    [
      refusal(422, 'Validation Failed', [
        { message: 'A pull request already exists for acme:bosh-release-pr/main/example.' },
      ]),
      'pull-exists',
    ],
    [
      refusal(422, 'Validation Failed', [
        { message: 'No commits between main and bosh-release-pr/main/example' },
      ]),
      'no-commits',
    ],
    [
      refusal(422, 'Validation Failed', ['was submitted too quickly after a previous comment']),
      'content-limit',
    ],
    [refusal(404, 'Not Found'), 'not-found'],
    [refusal(422, 'Validation Failed', [{ message: 'Reference already exists' }]), 'unknown'],
    [refusal(500, 'Internal Server Error'), 'unknown'],
    [new Error('socket hang up'), 'unknown'],
  ])('names %p as %s', (error, failure) => {
    expect(classifyFailure(error)).toBe(failure);
  });
});

describe('toGitHubError', () => {
  it('makes what the user fixes a UserError that says what to check', () => {
    expect(toGitHubError('reading branch main', refusal(401, 'Bad credentials'), context)).toEqual(
      new UserError(
        'GitHub refused the credentials (401 Bad credentials) while reading branch main: check source.access_token',
      ),
    );
    expect(
      toGitHubError('listing pull requests', refusal(403, 'API rate limit exceeded'), context),
    ).toEqual(
      new UserError(
        'GitHub rate-limited listing pull requests for longer than a build should wait: re-run the build later',
      ),
    );
    expect(
      toGitHubError('opening a pull request', refusal(403, 'Resource not accessible'), context)
        .message,
    ).toBe(
      'GitHub forbade opening a pull request in acme/example-release (403: Resource not accessible): the token needs read and write access to contents and pull requests',
    );
  });

  it('makes anything else a GitHubError naming what GitHub meant, GitHub answer as its cause', () => {
    const answer = refusal(422, 'Validation Failed', [
      { message: 'A pull request already exists for x' },
    ]);
    const error = toGitHubError('opening a pull request', answer, context);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({
      message: 'opening a pull request',
      failure: 'pull-exists',
      status: 422,
    });
    expect(error.cause).toBe(answer);
    expect(isGitHubFailure(error, 'pull-exists')).toBe(true);
    expect(isGitHubFailure(answer, 'pull-exists')).toBe(false);
  });

  it('passes errors already made by the seam through unchanged', () => {
    const made = new UserError('explained already');
    expect(toGitHubError('anything', made, context)).toBe(made);
  });
});
