import { describe, expect, it } from '@jest/globals';
import { buildInfo } from '../../src/concourse/build-info.js';
import {
  characters,
  MAX_BODY_CHARACTERS,
  RESERVED_BODY_CHARACTERS,
} from '../../src/rules/body-fit.js';
import { parsePullBlock } from '../../src/rules/pull-block.js';
import {
  renderImportBody,
  renderPullBody,
  type ImportSummary,
  type ReleaseSummary,
} from '../../src/rules/pull-body.js';
import { renderTemplate } from '../../src/rules/template.js';

const release: ReleaseSummary = {
  name: 'example',
  version: '3',
  key: 'k'.repeat(64),
  source: '5f04a60'.padEnd(40, '0'),
  newBuilds: [
    { kind: 'job', name: 'worker', fingerprint: 'f'.repeat(64), sha1: `sha256:${'e'.repeat(64)}` },
    { kind: 'package', name: 'app', fingerprint: 'a'.repeat(40), sha1: 'd'.repeat(40) },
  ],
  jobs: 2,
  packages: 3,
};

/** The body of a release PR without a build link or the user's text. */
function plainBody(summary: ReleaseSummary): string {
  return renderPullBody({
    release: summary,
    repositoryUrl: 'https://github.com/acme/example-release',
    base: 'main',
    buildUrl: undefined,
    buildLabel: undefined,
    track: 'both',
    intro: undefined,
  });
}

describe('renderPullBody', () => {
  const body = renderPullBody({
    release,
    repositoryUrl: 'https://github.com/acme/example-release',
    base: 'main',
    buildUrl: 'https://ci.example.com/builds/42',
    buildLabel: 'main/releases/cut #7',
    track: 'both',
    intro: 'Please review.',
  });

  it('shows the user text, a table of the new builds and the build link', () => {
    expect(body.startsWith('Please review.\n\nFinal release **example 3**')).toBe(true);
    expect(body).toContain('2 jobs, 3 packages, 2 new builds');
    expect(body).toContain(`| job | worker | \`ffffffffffff\` | \`sha256:eeeeeeeeeeee\` |`);
    expect(body).toContain(`| package | app | \`aaaaaaaaaaaa\` | \`sha1:dddddddddddd\` |`);
    expect(body).toContain('Opened by [main/releases/cut #7](https://ci.example.com/builds/42).');
  });

  it('warns right under the summary about a release cut from a dirty tree, and only then', () => {
    expect(body).not.toContain('[!WARNING]');
    const dirty = plainBody({ ...release, uncommittedChanges: true });
    const [summary, warning] = dirty.split('\n\n');
    expect(summary).toMatch(/^Final release \*\*example 3\*\*, cut from /);
    expect(warning).toMatch(
      /^> \[!WARNING\]\n> \*\*Cut from a dirty working tree\*\* \(`uncommitted_changes: true`, accepted with `params\.allow_uncommitted_changes`\)/,
    );
  });

  it('notes a backport under the summary (and the dirty-tree warning), and only then', () => {
    expect(body).not.toContain('[!IMPORTANT]');
    const lower = plainBody({
      ...release,
      uncommittedChanges: true,
      backport: 'example 3 is lower than 4',
    });
    const [, warning, note] = lower.split('\n\n');
    expect(warning).toMatch(/^> \[!WARNING\]/);
    expect(note).toBe('> [!IMPORTANT]\n> **Backport:** example 3 is lower than 4.');
  });

  it('carries a block check can read back', () => {
    expect(parsePullBlock(body)).toEqual({
      format: 1,
      release: 'example',
      version: '3',
      key: release.key,
      source: release.source,
      track: 'both',
    });
  });

  /** A release of `count` new package builds. */
  const manyBuilds = (count: number): ReleaseSummary => ({
    ...release,
    packages: count,
    newBuilds: Array.from({ length: count }, (_, i) => ({
      kind: 'package' as const,
      name: `package-${String(i).padStart(4, '0')}`,
      fingerprint: `${i}`.padStart(40, 'f'),
      sha1: `sha256:${`${i}`.padStart(64, 'e')}`,
    })),
  });
  const listedRows = (text: string) => text.match(/^\| package \| package-\d{4} \|/gm)?.length ?? 0;

  it.each([
    ['no user text', undefined],
    ['a user text as long as allowed', 'n'.repeat(MAX_BODY_CHARACTERS - RESERVED_BODY_CHARACTERS)],
  ])(
    'fits 1,000 new builds into GitHub’s 65,536 characters with %s, saying how many it left out',
    (_what, intro) => {
      const text = renderPullBody({
        release: manyBuilds(1000),
        repositoryUrl: 'https://github.com/acme/example-release',
        base: 'main',
        buildUrl: 'https://ci.example.com/builds/42',
        buildLabel: 'main/releases/cut #7',
        track: 'both',
        intro,
      });
      expect(characters(text)).toBeLessThanOrEqual(MAX_BODY_CHARACTERS);
      const listed = listedRows(text);
      expect(listed).toBeGreaterThan(intro === undefined ? 500 : 0);
      expect(listed).toBeLessThan(1000);
      expect(text).toContain(
        `| … | ${1000 - listed} more builds, not listed: a PR body holds at most 65,536 characters | | |`,
      );
      if (intro !== undefined) expect(text.startsWith(`${intro}\n\n`)).toBe(true);
      expect(text).toContain('Opened by [main/releases/cut #7]');
      expect(parsePullBlock(text)?.version).toBe('3');
    },
  );

  it('lists every build when they fit, and counts characters as GitHub does', () => {
    const text = renderPullBody({
      release: manyBuilds(300),
      repositoryUrl: 'https://github.com/acme/example-release',
      base: 'main',
      buildUrl: undefined,
      buildLabel: undefined,
      track: 'both',
      intro: '🚀'.repeat(40_000), // 80,000 UTF-16 units, 40,000 characters
    });
    expect(listedRows(text)).toBe(300);
    expect(text).not.toContain('not listed');
    expect(characters('🚀a')).toBe(2);
  });

  it('cuts a user text short only when the resource’s own text leaves no room for it', () => {
    const text = renderPullBody({
      release,
      repositoryUrl: 'https://github.com/acme/example-release',
      base: 'b'.repeat(6000), // an absurd base name: the user text was checked against the reserve
      buildUrl: undefined,
      buildLabel: undefined,
      track: 'both',
      intro: 'n'.repeat(MAX_BODY_CHARACTERS - RESERVED_BODY_CHARACTERS),
    });
    expect(characters(text)).toBeLessThanOrEqual(MAX_BODY_CHARACTERS);
    expect(text).toContain('*(shortened: a PR body holds at most 65,536 characters)*');
    expect(parsePullBlock(text)?.key).toBe(release.key);
  });

  it.each([
    ['no block', 'just a PR'],
    ['broken JSON', '<!-- bosh-release-pr: {"format":1, -->'],
    ['another format', '<!-- bosh-release-pr: {"format":2} -->'],
    ['a block without its end', '<!-- bosh-release-pr: {"format":1}'],
  ])('reads nothing from %s', (_what, text) => {
    expect(parsePullBlock(text)).toBeUndefined();
  });
});

describe('renderImportBody', () => {
  const imported: ImportSummary = {
    name: 'example',
    version: '2',
    key: 'i'.repeat(64),
    source: 'c0ffee1'.padEnd(40, '0'),
    versions: ['1', '2'],
    indexes: [
      { path: '.final_builds/jobs/web/index.yml', builds: 2 },
      { path: '.final_builds/packages/app/index.yml', builds: 2 },
    ],
    keptBuilds: 0,
    rewritten: [],
  };
  const options = {
    repositoryUrl: 'https://github.com/acme/example-release',
    base: 'main',
    buildUrl: undefined,
    buildLabel: undefined,
    intro: undefined,
  };

  it('lists the versions and the indexes, and carries the highest version in its block', () => {
    const body = renderImportBody({ ...options, imported, track: 'both' });
    expect(body).toContain(
      'Imports the existing final-release metadata of **example** from the checkout at [`c0ffee1`](https://github.com/acme/example-release/commit/c0ffee1',
    );
    expect(body).toContain(': 2 final versions and 2 `.final_builds` indexes with 4 builds.');
    expect(body).toContain('**Versions** (up to 2): 1, 2');
    expect(body).toContain('| `.final_builds/packages/app/index.yml` | 2 |');
    expect(body).not.toContain('Rewritten');
    expect(parsePullBlock(body)).toEqual({
      format: 1,
      release: 'example',
      version: '2',
      key: imported.key,
      source: imported.source,
      track: 'both',
      import: true,
    });
  });

  it('says when only .final_builds is imported, what was rewritten and what the base had', () => {
    const body = renderImportBody({
      ...options,
      imported: { ...imported, rewritten: ['.final_builds/jobs/web/index.yml'], keptBuilds: 1 },
      track: 'final_builds',
    });
    expect(body).toContain('2 `.final_builds` indexes with 4 builds, covering 2 final versions.');
    expect(body).toContain('`releases/` stays out of git (`source.track: final_builds`).');
    expect(body).toContain(
      "1 build is on `main` already, with the same digest: the base's entries are kept.",
    );
    expect(body).toContain(
      "Rewritten in the bosh CLI's canonical format, with the same entries: `.final_builds/jobs/web/index.yml`.",
    );
    expect(parsePullBlock(body)?.track).toBe('final_builds');
  });

  it("stays under GitHub's 65,536-character body limit for 2,000 indexes and versions", () => {
    const many = Array.from({ length: 2000 }, (_, i) => i);
    const body = renderImportBody({
      ...options,
      imported: {
        ...imported,
        versions: many.map((i) => `1.${i}.0`),
        indexes: many.map((i) => ({
          path: `.final_builds/packages/package-${i}/index.yml`,
          builds: 3,
        })),
        rewritten: many.map((i) => `.final_builds/packages/package-${i}/index.yml`),
      },
      track: 'both',
    });
    expect(characters(body)).toBeLessThanOrEqual(MAX_BODY_CHARACTERS);
    // Every version fits; the index table keeps what fits after them and says how many it left out.
    expect(body).toContain(`**Versions** (up to 2): ${many.map((i) => `1.${i}.0`).join(', ')}\n`);
    const listed =
      body.match(/^\| `\.final_builds\/packages\/package-\d+\/index\.yml` \| 3 \|$/gm) ?? [];
    expect(listed.length).toBeGreaterThan(500);
    expect(body).toContain(`| … and ${2000 - listed.length} more | |`);
    expect(body).toContain('with the same entries: … and 2000 more.');
    expect(parsePullBlock(body)?.version).toBe('2');
  });
});

describe('buildInfo', () => {
  it('prefers BUILD_URL', () => {
    expect(buildInfo({ BUILD_URL: 'https://ci/b/1', ATC_EXTERNAL_URL: 'https://ci' }).url).toBe(
      'https://ci/b/1',
    );
  });

  it('builds the job build URL from the BUILD_* variables', () => {
    const info = buildInfo({
      ATC_EXTERNAL_URL: 'https://ci.example.com/',
      BUILD_ID: '991',
      BUILD_NAME: '12',
      BUILD_JOB_NAME: 'cut final',
      BUILD_PIPELINE_NAME: 'example',
      BUILD_TEAM_NAME: 'main',
    });
    expect(info).toEqual({
      url: 'https://ci.example.com/teams/main/pipelines/example/jobs/cut%20final/builds/12',
      label: 'main/example/cut final #12',
    });
  });

  it('falls back to the one-off build URL, and to nothing', () => {
    expect(buildInfo({ ATC_EXTERNAL_URL: 'https://ci', BUILD_ID: '5' }).url).toBe(
      'https://ci/builds/5',
    );
    expect(buildInfo({})).toEqual({ url: undefined, label: undefined });
  });
});

describe('renderTemplate', () => {
  const values = { release_name: 'example', version: '3', build_url: 'https://ci/b/1' };

  it('fills the placeholders, spaces allowed', () => {
    expect(
      renderTemplate('{{release_name}} {{ version }} ({{build_url}})', values, 'params.title'),
    ).toBe('example 3 (https://ci/b/1)');
  });

  it('names an unknown placeholder', () => {
    expect(() => renderTemplate('v{{ver}}', values, 'params.title')).toThrow(
      'params.title: unknown placeholder {{ver}}: use {{release_name}}, {{version}} or {{build_url}}',
    );
  });
});
