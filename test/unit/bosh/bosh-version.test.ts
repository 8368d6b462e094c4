import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../../src/errors.js';
import {
  boshVersionsEqual,
  compareBoshVersions,
  highestBoshVersion,
  parseBoshVersion,
  tryParseBoshVersion,
} from '../../../src/bosh/index.js';

const versions = (...texts: string[]) => texts.map((text) => parseBoshVersion(text));

describe('parseBoshVersion', () => {
  it.each([
    ['1', ['1'], [], []],
    ['66.0', ['66', '0'], [], []],
    ['1.4.38', ['1', '4', '38'], [], []],
    ['74.20.0', ['74', '20', '0'], [], []],
    ['1.24.0-rc.6', ['1', '24', '0'], ['rc', '6'], []],
    ['1.2+dev.3', ['1', '2'], [], ['dev', '3']],
    ['1.2-rc-1+build_7', ['1', '2'], ['rc-1'], ['build_7']],
    ['01.2', ['01', '2'], [], []],
    ['2013-03-21_01-53-17', ['2013'], ['03-21_01-53-17'], []],
    ['a.b', ['a', 'b'], [], []],
  ])('%s', (text, release, pre, post) => {
    const version = parseBoshVersion(text);
    const show = (segment: typeof version.release) => segment.map((c) => c.value.toString());
    expect([show(version.release), show(version.preRelease), show(version.postRelease)]).toEqual([
      release,
      pre,
      post,
    ]);
    expect(version.text).toBe(text);
  });

  it('tells numbers from text like go-semi-semantic', () => {
    expect(parseBoshVersion('1.a.01.0').release.map((c) => c.kind)).toEqual([
      'number',
      'text',
      'text',
      'number',
    ]);
  });

  it.each([
    '',
    '1..2',
    '.1',
    '1.',
    '-1',
    '1-',
    '1+',
    '1.2 ',
    'v 1',
    '1/2',
    'é',
    '1.2-rc+',
    '99999999999999999999',
  ])('rejects %j with a UserError', (text) => {
    expect(tryParseBoshVersion(text)).toBeUndefined();
    expect(() => parseBoshVersion(text, 'releases/x/index.yml')).toThrow(UserError);
    expect(() => parseBoshVersion(text, 'releases/x/index.yml')).toThrow(
      /is not a BOSH version.*releases\/x\/index\.yml|releases\/x\/index\.yml.*is not a BOSH version/,
    );
  });
});

describe('compareBoshVersions', () => {
  it.each([
    // Missing trailing components are zeros.
    ['1', '1.0', 0],
    ['3', '3.0.0', 0],
    ['1.0', '1.0.1', -1],
    ['a', 'a.0', 0],
    // A leading zero makes text, and text sorts after every number.
    ['1.01', '1.1', 1],
    ['1.01', '1.99', 1],
    ['1.00', '1', 1],
    // Numbers compare as numbers, not text: "45.1" and "45.10" both exist in uaa-release.
    ['45.1', '45.10', -1],
    ['45.10', '45.2', 1],
    ['1.4.38', '1.4.4', 1],
    ['74.20.0', '74.3.0', 1],
    ['66.0', '65.9', 1],
    ['9', '10', -1],
    // Numbers sort before text.
    ['1.a', '1.0', 1],
    ['1', 'a', -1],
    ['1.a', '1.b', -1],
    ['alpha.1', 'beta.1', -1],
    // -pre sorts before the plain version, +post after.
    ['1.24.0-rc.6', '1.24.0', -1],
    ['1.24.0-rc.6', '1.24.0-rc.7', -1],
    ['1.24.0-rc.10', '1.24.0-rc.9', 1],
    ['1.24.0-rc.6', '1.23.9', 1],
    ['1.0+dev.1', '1.0', 1],
    ['1.0+dev.1', '1.0+dev.2', -1],
    ['1.0-rc.1+dev.1', '1.0-rc.1', 1],
    ['1.0-rc.1+dev.1', '1.0', -1],
  ] as const)('%s vs %s → %i', (a, b, expected) => {
    expect(Math.sign(compareBoshVersions(a, b))).toBe(expected);
    expect(Math.sign(compareBoshVersions(b, a))).toBe(expected === 0 ? 0 : -expected);
    expect(boshVersionsEqual(a, b)).toBe(expected === 0);
  });

  it('orders the real versions docs/bosh-metadata.md cites', () => {
    const sorted = versions('74.20.0', '1.4.38', '66.0', '1', '1.24.0-rc.6', '45.10', '45.1')
      .sort(compareBoshVersions)
      .map((v) => v.text);
    expect(sorted).toEqual(['1', '1.4.38', '1.24.0-rc.6', '45.1', '45.10', '66.0', '74.20.0']);
  });
});

describe('highestBoshVersion', () => {
  it('finds the highest version', () => {
    expect(highestBoshVersion(versions('1', '74.20.0', '66.0'))?.text).toBe('74.20.0');
    expect(highestBoshVersion([])).toBeUndefined();
  });
});
