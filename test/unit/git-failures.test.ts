// git's words for the failures the steps handle, classified in one place (git/failures.ts).
import { describe, expect, it } from '@jest/globals';
import {
  failureLine,
  fetchRefusal,
  isLeaseRejected,
  isTransient,
  pushRefusal,
} from '../../src/git/failures.js';

const url = 'https://github.com/acme/example-release.git';
const target = {
  ref: 'refs/heads/bosh-release-pr/main/example',
  branch: 'bosh-release-pr/main/example',
  url,
};

describe('failureLine', () => {
  it.each([
    ['hint: a\nfatal: unable to access the remote\n', 'unable to access the remote'],
    ['error: failed to push some refs\n', 'failed to push some refs'],
    ['\nsomething else\nand more\n', 'something else'],
    ['', ''],
  ])('%p → %p', (output, line) => {
    expect(failureLine(output)).toBe(line);
  });
});

describe('isTransient and isLeaseRejected', () => {
  it.each([
    ['error: RPC failed; HTTP 502 curl 22', true],
    ['fatal: the remote end hung up unexpectedly', true],
    ['fatal: unable to access: Connection reset by peer', true],
    ["fatal: couldn't find remote ref main", false],
    ['fatal: Authentication failed', false],
  ])('%p is transient: %p', (output, transient) => {
    expect(isTransient(output)).toBe(transient);
  });

  it.each([
    ['!\tx:refs/heads/x\t[rejected] (stale info)', true],
    [' ! [rejected]  x -> x (fetch first)', true],
    [' ! [rejected]  x -> x (already exists)', true],
    [' ! [rejected]  x -> x (non-fast-forward)', true],
    [' ! [remote rejected] x -> x (pre-receive hook declined)', false],
  ])('%p is a lost lease: %p', (output, rejected) => {
    expect(isLeaseRejected(output)).toBe(rejected);
  });
});

describe('pushRefusal', () => {
  it.each([
    [
      'remote: error: GH006: Protected branch update failed',
      'policy',
      /protected branch \(GH006\)/,
    ],
    [
      'remote: error: GH013: Repository rule violations found\nremote: - Cannot force-push to this branch\n ! [remote rejected] x -> x (push declined due to repository rule violations)',
      'policy',
      /ruleset of acme\/example-release \(GH013: Cannot force-push to this branch\).*force-push it/,
    ],
    [
      ' ! [remote rejected] x -> x (refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission)',
      'policy',
      /without the workflow scope/,
    ],
    [
      'remote: commits must be signed\n ! [remote rejected] x -> x (pre-receive hook declined)',
      'policy',
      /declined by a pre-receive hook of github\.com \(commits must be signed\)/,
    ],
    [
      "fatal: unable to access '...': SSL certificate problem: unable to get local issuer certificate",
      'access',
      /does not trust the certificate/,
    ],
    [
      'fatal: unable to access: The requested URL returned error: 403',
      'access',
      /needs write access/,
    ],
  ])('%p is a %s refusal', (output, kind, message) => {
    const refusal = pushRefusal(output, target);
    expect(refusal?.kind).toBe(kind);
    expect(refusal?.error.message).toMatch(message);
  });

  it('knows nothing of a lost lease or an unknown failure', () => {
    expect(pushRefusal('!\tx:refs/heads/x\t[rejected] (stale info)', target)).toBeUndefined();
    expect(pushRefusal('fatal: something new', target)).toBeUndefined();
  });
});

describe('fetchRefusal', () => {
  const remote = { url, credentialFields: 'source.access_token' };
  it.each([
    [
      "fatal: could not read Username for 'https://github.com'",
      /was refused \(401\): check source\.access_token/,
    ],
    ['fatal: unable to access: The requested URL returned error: 403', /was forbidden \(403\)/],
    ["fatal: couldn't find remote ref no-such-branch", /^main is not in https:/],
  ])('%p', (output, message) => {
    expect(fetchRefusal(output, 'main', remote)?.message).toMatch(message);
  });

  it('knows nothing of an unknown failure', () => {
    expect(
      fetchRefusal('fatal: Could not resolve host: github.com', 'main', remote),
    ).toBeUndefined();
  });
});
