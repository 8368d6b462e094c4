// parseBuildIndex parses a big index text once per process (a put reads most indexes twice or
// more with the same text), and never remembers a failure.
import { describe, expect, it } from '@jest/globals';
import { parseBuildIndex, writeBuildIndex } from '../../src/bosh/index.js';

function bigIndex(entries: number, salt: string): string {
  const builds = new Map(
    Array.from({ length: entries }, (_, i) => {
      const fingerprint = `${salt}${i.toString(16).padStart(8, '0')}`.padEnd(40, '0');
      return [fingerprint, { version: fingerprint, blobstoreId: `id-${i}`, sha1: `sha256:${i}` }];
    }),
  );
  return writeBuildIndex({ builds });
}

describe('parseBuildIndex on big texts', () => {
  it('returns the same reading for the same text, even as another string', () => {
    const text = bigIndex(2000, 'a');
    expect(text.length).toBeGreaterThan(64 * 1024);
    const first = parseBuildIndex(text, 'one.yml');
    const again = parseBuildIndex(`${text.slice(0, 10)}${text.slice(10)}`, 'two.yml');
    expect(again).toBe(first);
    expect(first.builds.size).toBe(2000);
  });

  it('reads another text anew', () => {
    const a = parseBuildIndex(bigIndex(2000, 'b'), 'a.yml');
    const b = parseBuildIndex(bigIndex(2001, 'b'), 'b.yml');
    expect(b).not.toBe(a);
    expect(b.builds.size).toBe(2001);
  });

  it('refuses a malformed text every time, naming the path asked for', () => {
    const broken = bigIndex(2000, 'c').replace(/format-version: "2"\n$/, '');
    expect(() => parseBuildIndex(broken, 'first.yml')).toThrow(/^first\.yml: /);
    expect(() => parseBuildIndex(broken, 'second.yml')).toThrow(/^second\.yml: /);
  });
});
