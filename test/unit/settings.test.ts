import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration } from '../../src/rules/duration.js';
import { describeError, UserError } from '../../src/errors.js';
import { createLogger, SecretRegistry } from '../../src/io/log.js';
import { defaultOf, SOURCE_FIELDS } from '../../src/concourse/fields.js';
import { parseCheckRequest, parsePutRequest } from '../../src/concourse/settings.js';

const source = {
  repository: 'acme/example-release',
  access_token: 'ghp_settingsToken012345678901234',
};

describe('source', () => {
  it.each([
    [undefined, 'https://api.github.com', 'https://github.com/acme/example-release.git'],
    [
      'https://ghe.example.com/api/v3',
      'https://ghe.example.com/api/v3',
      'https://ghe.example.com/acme/example-release.git',
    ],
    [
      'https://ghe.example.com/api/v3/',
      'https://ghe.example.com/api/v3',
      'https://ghe.example.com/acme/example-release.git',
    ],
    [
      'http://127.0.0.1:8080/api/v3',
      'http://127.0.0.1:8080/api/v3',
      'http://127.0.0.1:8080/acme/example-release.git',
    ],
    [
      'https://api.ghe.example.com',
      'https://api.ghe.example.com',
      'https://ghe.example.com/acme/example-release.git',
    ],
  ])('derives the git URL from github_api_url %s', (apiUrl, expectedApi, expectedGit) => {
    const { source: settings } = parseCheckRequest({
      source: { ...source, github_api_url: apiUrl },
    });
    expect(settings.apiUrl).toBe(expectedApi);
    expect(settings.gitUrl).toBe(expectedGit);
    expect(settings.webUrl).toBe(expectedGit.replace(/\.git$/, ''));
  });

  it('lets git_url override the derived one', () => {
    const { source: settings } = parseCheckRequest({
      source: { ...source, git_url: 'https://git.example.com/mirror/example.git' },
    });
    expect(settings.gitUrl).toBe('https://git.example.com/mirror/example.git');
  });

  it.each([
    ['git_url', 'https://x-access-token:hunter2-Pa55word@example.com/a/b.git'],
    ['git_url', 'http://hunter2-Pa55word@example.com/a/b.git'],
    ['git_url', 'ftp://user:hunter2-Pa55word@example.com/a/b.git'],
    ['github_api_url', 'https://admin:hunter2-Pa55word@ghe.example.com/api/v3'],
  ])('refuses %s carrying credentials without repeating them', (field, url) => {
    let message = '';
    try {
      parseCheckRequest({ source: { ...source, [field]: url } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      `source.${field}: must not carry credentials (user:password@ before the host; the URL is not repeated here): give the token in source.access_token, or a GitHub App in app_id and private_key, and the URL without them`,
    );
  });

  it('applies every default', () => {
    const { source: settings } = parseCheckRequest({ source });
    expect(settings).toMatchObject({
      owner: 'acme',
      repo: 'example-release',
      auth: { kind: 'token', token: source.access_token },
      baseBranch: undefined,
      releaseName: undefined,
      branchPrefix: defaultOf(SOURCE_FIELDS, 'branch_prefix'),
      labels: [],
      gitAuthor: {
        name: defaultOf(SOURCE_FIELDS, 'git_author_name'),
        email: defaultOf(SOURCE_FIELDS, 'git_author_email'),
      },
      skipSslVerification: false,
      debug: false,
      track: 'both',
    });
  });

  it.each([
    [{ repository: 'a/b' }, 'source.access_token: required'],
    [
      { repository: 'a/b', app_id: 1 },
      'source.private_key: required with GitHub App authentication',
    ],
    [
      { ...source, app_id: 1, private_key: 'k'.repeat(20) },
      'source: set either access_token or app_id',
    ],
  ])('checks credentials %#', (raw, message) => {
    expect(() => parseCheckRequest({ source: raw })).toThrow(message);
  });

  it('accepts GitHub App credentials with a numeric app id', () => {
    const { source: settings } = parseCheckRequest({
      source: { repository: 'a/b', app_id: 42, private_key: 'pem', installation_id: 7 },
    });
    expect(settings.auth).toEqual({
      kind: 'app',
      appId: '42',
      privateKey: 'pem',
      installationId: '7',
    });
  });

  it('suggests nothing for an unknown key far from every known one', () => {
    expect(() => parseCheckRequest({ source: { ...source, xyzzy: true } })).toThrow(
      /source\.xyzzy: unknown field \(known fields: repository, access_token/,
    );
  });
});

describe('out params', () => {
  it('merges labels from source and params and parses durations', () => {
    const { params } = parsePutRequest({
      source: { ...source, labels: ['release'] },
      params: {
        repository: 'release-repo',
        labels: ['bosh', 'release'],
        wait_timeout: '1h30m',
        stale_lock_after: '90s',
      },
    });
    expect(params.labels).toEqual(['release', 'bosh']);
    expect(params.waitTimeoutMs).toBe(5_400_000);
    expect(params.staleLockAfterMs).toBe(90_000);
    expect(params.onOpenPr).toBe('fail');
    expect(params.onClosedPr).toBe('reclaim');
  });

  it('refuses a dirty-tree cut unless allow_uncommitted_changes is true', () => {
    const parse = (params: Record<string, unknown>) =>
      parsePutRequest({ source, params: { repository: 'r', ...params } }).params;
    expect(parse({}).allowUncommittedChanges).toBe(false);
    expect(parse({ allow_uncommitted_changes: true }).allowUncommittedChanges).toBe(true);
    expect(() => parse({ allow_uncommitted_changes: 'yes' })).toThrow(
      /params\.allow_uncommitted_changes/,
    );
  });

  it('reports only higher releases unless report_lower_versions is true', () => {
    const parse = (extra: Record<string, unknown>) =>
      parseCheckRequest({ source: { ...source, ...extra } }).source;
    expect(parse({}).reportLowerVersions).toBe(false);
    expect(parse({ report_lower_versions: true }).reportLowerVersions).toBe(true);
    expect(() => parse({ report_lower_versions: 'yes' })).toThrow(
      'source.report_lower_versions: must be a boolean, got a string ("yes")',
    );
    expect(() => parse({ report_lower_version: true })).toThrow(
      'source.report_lower_version: unknown field, did you mean report_lower_versions?',
    );
  });

  it('polls every 15s by default in wait mode; wait_interval sets it, at least 1s', () => {
    const parse = (extra: Record<string, unknown>) =>
      parsePutRequest({ source, params: { repository: 'r', ...extra } }).params;
    expect(parse({}).waitIntervalMs).toBe(15_000);
    expect(parse({ wait_interval: '1m' }).waitIntervalMs).toBe(60_000);
    expect(() => parse({ wait_interval: '500ms' })).toThrow(
      'params.wait_interval: must be at least 1s (each poll asks GitHub again), got "500ms"',
    );
  });

  it('refuses body together with body_file', () => {
    expect(() =>
      parsePutRequest({ source, params: { repository: 'r', body: 'x', body_file: 'f' } }),
    ).toThrow('params: set body or body_file, not both');
  });
});

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
  ])('parses %s', (text, ms) => expect(parseDuration(text, 'f')).toBe(ms));

  it.each(['', '10', '5 min', '-1s', '1d'])('rejects %j', (text) => {
    expect(() => parseDuration(text, 'params.wait_timeout')).toThrow(UserError);
  });

  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [3_723_000, '1h 2m'],
    [90_000_000, '1d 1h'],
  ])('formats %d ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('errors and logs', () => {
  it('folds a bug and its causes into one line, but prints a user error as written', () => {
    const bug = new Error('pushing lock branch bosh-release-pr/main/example', {
      cause: new Error('remote hung up\nunexpectedly'),
    });
    expect(describeError(bug)).toMatch(
      /^pushing lock branch bosh-release-pr\/main\/example: remote hung up unexpectedly \(unexpected failure: re-run with source.debug: true/,
    );
    expect(describeError(new UserError('version 3 is already on main'))).toBe(
      'version 3 is already on main',
    );
  });

  it('scrubs registered secrets, PEM lines and GitHub token shapes from every log line', () => {
    const secrets = new SecretRegistry();
    const pem =
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAabcdefghijklmnop\n-----END RSA PRIVATE KEY-----';
    secrets.add('s3cr3t-value-123');
    secrets.add(pem);
    const lines: string[] = [];
    const log = createLogger({ debug: true, secrets, write: (line) => lines.push(line) });
    log.info({ access_token: 'structured', nested: { token: 'x' } }, 'using s3cr3t-value-123');
    log.debug(`key line MIIEowIBAAKCAQEAabcdefghijklmnop and ghs_${'a'.repeat(36)}`);
    const text = lines.join('');
    expect(text).not.toMatch(/s3cr3t-value-123|structured|MIIEowIBAAKCAQEA|ghs_a/);
    expect(text.match(/\[REDACTED\]/g)?.length).toBe(5);
  });

  it('scrubs the credentials of any URL, undici’s errors included', () => {
    const secrets = new SecretRegistry();
    let undici = '';
    try {
      new Request('https://admin:hunter2-Pa55word@ghe.example.com/api/v3/repos/a/b');
    } catch (error) {
      undici = String(error);
    }
    expect(undici).toContain('hunter2-Pa55word'); // what Node's fetch says when left alone
    const texts = [
      undici,
      "fatal: unable to access 'http://x-access-token:hunter2-Pa55word@127.0.0.1:1/a/b.git/'",
      'proxy HTTPS_PROXY=http://proxyuser:hunter2-Pa55word@proxy:3128 refused',
      'git@github.com:acme/b.git and https://ghe.example.com/a@b stay as they are',
    ].map((text) => secrets.scrub(text));
    expect(texts.join('\n')).not.toContain('hunter2');
    expect(texts[1]).toBe("fatal: unable to access 'http://[REDACTED]@127.0.0.1:1/a/b.git/'");
    expect(texts[3]).toBe(
      'git@github.com:acme/b.git and https://ghe.example.com/a@b stay as they are',
    );
  });
});
