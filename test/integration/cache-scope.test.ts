// check's /tmp cache is shared by every resource whose checks run in one container: each entry
// is scoped by everything that determines it (the API URL, the repository, the credential), so
// two sources never read each other's answers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { check } from '../../src/steps/check/check.js';
import { connect } from '../../src/steps/connect.js';
import { SecretRegistry } from '../../src/io/log.js';
import { parseCheckRequest } from '../../src/concourse/settings.js';
import { World } from '../support/world.js';

let world: World;

beforeAll(async () => {
  world = await World.start();
});

afterAll(async () => {
  await world.stop();
});

/** check as the entrypoint builds it, its cache in `cacheDir`. */
async function checkWithCache(repo: string, cacheDir: string, extra: Record<string, unknown>) {
  const { source } = parseCheckRequest({ source: world.source(repo, extra) });
  const { logger } = world.log();
  const connections = connect(
    source,
    { log: logger, secrets: new SecretRegistry(), env: world.gitEnv() },
    { github: { retryAfterBaseValue: 1, throttleWrites: false }, cacheDir },
  );
  return check({ source, version: undefined }, { ...connections, log: logger });
}

describe('two sources sharing /tmp', () => {
  it.each([
    ['with base_branch and release_name', { base_branch: 'main', release_name: 'example' }],
    ['without', {}],
  ])('each report their own versions, %s', async (_what, extra) => {
    const cacheDir = await world.tempDir('brp-shared-tmp-');
    const withRelease = await world.repository();
    const withoutRelease = await world.repositoryWithoutReleases();
    const [start] = await checkWithCache(withRelease, cacheDir, extra);
    expect(start).toMatchObject({ version: '2', pr: '' });
    expect(await checkWithCache(withoutRelease, cacheDir, extra)).toEqual([]);
    expect(await checkWithCache(withRelease, cacheDir, extra)).toEqual([start]);
    expect(await checkWithCache(withoutRelease, cacheDir, extra)).toEqual([]);
  });
});
