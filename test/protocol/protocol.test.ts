// The Concourse contract, proven on the built bundles (npm test builds them first): one JSON
// request on stdin, exactly one JSON document on stdout or nothing on failure, logs on stderr,
// exit 1 with one actionable line.
import { describe, expect, it } from '@jest/globals';
import { lastLine, runBundle } from '../support/run-bundle.js';

const TOKEN = 'ghp_protocolTestToken0123456789abcdefXYZ';
// A ca_certs without any PEM certificate is refused before any network call: the steps fail fast.
const source = { repository: 'acme/example-release', access_token: TOKEN, ca_certs: 'PEM' };
const STEPS = [
  { step: 'check', args: [], request: { source } },
  {
    step: 'in',
    args: ['/nonexistent-dest'],
    request: { source, version: { version: '3', pr: '4', ref: 'a'.repeat(40) } },
  },
  {
    step: 'out',
    args: ['/nonexistent-src'],
    request: { source, params: { repository: 'release-repo' } },
  },
] as const;

describe.each(STEPS)('$step', ({ step, args, request }) => {
  const run = (req: unknown) => runBundle(step, req, { args: [...args] });

  it('names an unknown source key and suggests the nearest known one', async () => {
    const { access_token, ...rest } = request.source;
    const result = await run({ ...request, source: { ...rest, acces_token: access_token } });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lastLine(result.stderr)).toBe(
      'error: source.acces_token: unknown field, did you mean access_token?',
    );
  });

  it('names a field of the wrong type', async () => {
    const result = await run({ ...request, source: { ...source, debug: 'yes' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lastLine(result.stderr)).toBe(
      'error: source.debug: must be a boolean, got a string ("yes")',
    );
  });

  it('names a missing required field', async () => {
    const result = await run({ ...request, source: { access_token: TOKEN } });
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toMatch(/^error: source\.repository: required \(owner\/name/);
  });

  it('rejects a malformed repository name with the expected form', async () => {
    const result = await run({ ...request, source: { ...source, repository: 'no-slash' } });
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toContain('source.repository: must be owner/name');
  });

  it.each([
    ['empty', '', 'error: the request on stdin is empty'],
    ['whitespace', ' \n ', 'error: the request on stdin is empty'],
    [
      'not JSON',
      `{"source": {"access_token": "${TOKEN}"`,
      'error: the request on stdin is not valid JSON',
    ],
    ['an array', '[]', 'error: the request on stdin must be a JSON object'],
    ['a string', '"check"', 'error: the request on stdin must be a JSON object'],
  ])('fails clearly when stdin is %s', async (_name, stdin, message) => {
    const result = await run(stdin);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lastLine(result.stderr).startsWith(message)).toBe(true);
    expect(result.stderr).not.toContain(TOKEN);
  });

  it('reads a 1 MB request whole', async () => {
    // A lenient version key and an unknown source key placed after 1 MB: only a reader that got
    // the whole document can name it.
    const padding = 'x'.repeat(1024 * 1024);
    const stdin = `{"version": {"padding": "${padding}"}, "source": ${JSON.stringify({ ...source, zzz: 1 })}}`;
    expect(stdin.length).toBeGreaterThan(1024 * 1024);
    const result = await run(stdin);
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toContain('source.zzz: unknown field');
  });

  it('refuses a ca_certs that holds no certificate, before any request', async () => {
    const result = await run(request);
    expect(result.code).toBe(1);
    expect(lastLine(result.stderr)).toBe(
      'error: source.ca_certs: no PEM certificate found: give the CA certificates as PEM text, each from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----',
    );
  });

  it('keeps stdout empty and the token out of every output, with debug on', async () => {
    const result = await run({ ...request, source: { ...source, debug: true } });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/DEBUG: request parsed/); // debug logging went to stderr
    expect(result.stderr).not.toContain(TOKEN);
    expect(
      result.stderr
        .trimEnd()
        .split('\n')
        .filter((line) => line.startsWith('error:')),
    ).toHaveLength(1);
  });
});

describe('version and params leniency', () => {
  it('check rejects a version that is not an object of strings', async () => {
    const result = await runBundle('check', { source, version: { pr: 42 } });
    expect(lastLine(result.stderr)).toBe('error: version.pr: must be a string, got a number (42)');
  });

  it('in names an unknown param', async () => {
    const version = { version: '3', pr: '4', ref: 'a'.repeat(40) };
    const bad = await runBundle(
      'in',
      { source, version, params: { skip_dowload: true } },
      { args: ['/tmp/x'] },
    );
    expect(lastLine(bad.stderr)).toBe(
      'error: params.skip_dowload: unknown field, did you mean skip_download?',
    );
  });

  it('out requires params.repository and checks enums and durations', async () => {
    const cases: Array<[unknown, string]> = [
      [undefined, 'error: params.repository: required'],
      [
        { repository: 'r', on_open_pr: 'block' },
        'error: params.on_open_pr: must be one of fail, wait, got "block"',
      ],
      [
        { repository: 'r', wait_timeout: '10 minutes' },
        'error: params.wait_timeout: "10 minutes" is not a duration',
      ],
      [{ repository: '../r' }, 'error: params.repository: "../r" must be the artifact'],
      [
        { repository: 'r', reviewer: ['a'] },
        'error: params.reviewer: unknown field, did you mean reviewers?',
      ],
    ];
    for (const [params, message] of cases) {
      const result = await runBundle('out', { source, params }, { args: ['/tmp/x'] });
      expect(result.code).toBe(1);
      expect(lastLine(result.stderr).startsWith(message)).toBe(true);
    }
  });
});
