// `npm run demo` is the README's first command: it must walk the whole lifecycle, exit 0 and
// leave nothing behind.
import { expect, it } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { removeDir, tempDir } from '../support/repos.js';
import { PROJECT_ROOT, runProcess } from '../support/run-bundle.js';

it('walks put → racing put → merge → check → get → next put, and cleans up', async () => {
  const scratch = await tempDir('brp-demo-test-');
  try {
    const result = await runProcess(process.execPath, '', {
      args: [`${PROJECT_ROOT}/dist/tools/demo.mjs`],
      env: { PATH: process.env.PATH, HOME: scratch, TMPDIR: scratch },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const titles = result.stdout.split('\n').filter((line) => line.startsWith('▶'));
    expect(titles).toHaveLength(9);
    expect(result.stdout).toMatch(
      /error: release PR #1 \(example 3, opened \d+s ago .*\) holds the lock on main/,
    );
    expect(result.stdout).toMatch(/"operation", "value": "created"/);
    expect(result.stdout).toMatch(
      /wrote \d+ files:\n(?:\s{4}.+\n)*\s{4}releases\/example\/example-3\.yml/,
    );
    expect(result.stdout).not.toMatch(/ghs_sandbox/);
    expect(await readdir(scratch)).toEqual([]);
  } finally {
    await removeDir(scratch);
  }
});
