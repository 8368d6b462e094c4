// What the commit status says, within GitHub's 140-character description limit.
import { describe, expect, it } from '@jest/globals';
import {
  fitDescription,
  pendingVerdict,
  safeVerdict,
  unsafeVerdict,
} from '../../src/rules/commit-status.js';

describe('the commit status', () => {
  it('says where the release is safe to merge', () => {
    expect(safeVerdict('main', 'a'.repeat(40))).toEqual({
      state: 'success',
      description: `safe to merge onto main at ${'a'.repeat(40)}`,
    });
    expect(pendingVerdict('example 3', 'main')).toEqual({
      state: 'pending',
      description: 'example 3: checking it against main',
    });
  });

  it('fails with the reason on one line, cut to 140 characters', () => {
    const reason = `version 3 is already on main (PR #12 https://github.com/acme/example-release/pull/12):\nre-run bosh create-release --final on the current main, ${'and more '.repeat(10)}`;
    const { state, description } = unsafeVerdict(reason);
    expect(state).toBe('failure');
    expect(description).not.toContain('\n');
    expect([...description]).toHaveLength(140);
    expect(description.endsWith('…')).toBe(true);
    expect(description.startsWith('version 3 is already on main (PR #12')).toBe(true);
  });

  it('counts characters, not bytes or UTF-16 units', () => {
    const text = '🚀'.repeat(140);
    expect(fitDescription(text)).toBe(text);
    expect([...fitDescription(`${text}x`)]).toHaveLength(140);
    expect(fitDescription('  short  ')).toBe('short');
  });
});
