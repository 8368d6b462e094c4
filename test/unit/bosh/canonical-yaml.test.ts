import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareBytewise,
  resolvesAsNonString,
  scalarStyle,
  writeYaml,
  yamlMapping,
  type YamlValue,
} from '../../../src/bosh/index.js';
import { YAML_V2 } from '../../support/example-release.js';

interface OracleCase {
  input: string;
  value: string;
  key: string;
  item: string;
}

// What yaml.v2 itself wrote for each string (test/fixtures/yaml-v2/oracle.go).
const oracle = JSON.parse(
  readFileSync(join(YAML_V2, 'scalars.expected.json'), 'utf8'),
) as OracleCase[];

describe('writeYaml agrees with yaml.v2', () => {
  it('has a substantial oracle table', () => {
    expect(oracle.length).toBeGreaterThan(300);
  });

  it.each(oracle.map((c) => [JSON.stringify(c.input), c] as const))(
    '%s as a value, an index key and a sequence item',
    (_, c) => {
      const s = c.input;
      expect(writeYaml(yamlMapping([['k', s]]))).toBe(c.value);
      const entry = yamlMapping([
        ['version', s],
        ['blobstore_id', 'b'],
        ['sha1', s],
      ]);
      expect(writeYaml(yamlMapping([['builds', yamlMapping([[s, entry]])]]))).toBe(c.key);
      const job = yamlMapping([
        ['name', s],
        ['version', ''],
        ['fingerprint', ''],
        ['sha1', ''],
        ['packages', [s]],
      ]);
      expect(writeYaml(yamlMapping([['jobs', [job]]]))).toBe(c.item);
    },
  );
});

describe('quoting (docs/bosh-metadata.md)', () => {
  // The third column: whether yaml.v2 reads the plain scalar as a bool, null, number or time.
  it.each([
    // Versions and digests of real repositories.
    ['1', 'double-quoted', true],
    ['66.0', 'double-quoted', true],
    ['45.10', 'double-quoted', true],
    ['0e21678', 'double-quoted', true],
    ['9544761', 'double-quoted', true],
    ['1.4.38', 'plain', false],
    ['74.20.0', 'plain', false],
    ['1.24.0-rc.6', 'plain', false],
    ['ff968ca5', 'plain', false],
    ['sha256:ff564ca72e714d99215f8a6984464eea52ecf9f5515607a469ec1da0ea655354', 'plain', false],
    ['00718cf5-d228-4d75-6998-25cbc15218b2', 'plain', false],
    ['a;b', 'plain', false],
    // Booleans and nulls in their case forms.
    ['y', 'double-quoted', true],
    ['Yes', 'double-quoted', true],
    ['TRUE', 'double-quoted', true],
    ['on', 'double-quoted', true],
    ['N', 'double-quoted', true],
    ['no', 'double-quoted', true],
    ['False', 'double-quoted', true],
    ['OFF', 'double-quoted', true],
    ['yES', 'plain', false],
    ['~', 'double-quoted', true],
    ['null', 'double-quoted', true],
    ['', 'double-quoted', true],
    ['nULL', 'plain', false],
    // Integers, with prefixes and separators.
    ['0x1F', 'double-quoted', true],
    ['0o17', 'double-quoted', true],
    ['0b101', 'double-quoted', true],
    ['1_000', 'double-quoted', true],
    ['-1', 'double-quoted', true],
    ['0x', 'plain', false],
    ['0x10000000000000000', 'plain', false],
    // Floats.
    ['.5', 'double-quoted', true],
    ['1e5', 'double-quoted', true],
    ['1e999', 'plain', false],
    ['.inf', 'double-quoted', true],
    ['-.Inf', 'double-quoted', true],
    ['.NaN', 'double-quoted', true],
    ['.Nan', 'plain', false],
    // Timestamps and base 60.
    ['2001-12-14', 'double-quoted', true],
    ['2001-12-14t21:59:43.10-05:00', 'double-quoted', true],
    ['2001-02-30', 'plain', false],
    ['1:20', 'double-quoted', false],
    // Strings that need quotes for other reasons: single quotes.
    ['a: b', 'single-quoted', false],
    ['- a', 'single-quoted', false],
    ['a #b', 'single-quoted', false],
    ['#a', 'single-quoted', false],
    ['*a', 'single-quoted', false],
    ['---', 'single-quoted', false],
    [' a', 'single-quoted', false],
    ['a:b', 'plain', false],
    ['a#b', 'plain', false],
    // Characters yaml.v2 escapes.
    ['a\tb', 'double-quoted', false],
    ['😀', 'double-quoted', false],
    ['é', 'plain', false],
  ] as const)('%j is %s (resolves to a non-string: %s)', (input, style, resolves) => {
    expect(scalarStyle(input)).toBe(style);
    expect(resolvesAsNonString(input)).toBe(resolves);
  });

  it('writes an index the way the CLI does', () => {
    const entry = (version: string): YamlValue => yamlMapping([['version', version]]);
    expect(
      writeYaml(
        yamlMapping([
          [
            'builds',
            yamlMapping([
              ['0583cdc8', entry('66.0')],
              ['a', entry('74.20.0')],
            ]),
          ],
          ['format-version', '2'],
        ]),
      ),
    ).toBe(
      'builds:\n  0583cdc8:\n    version: "66.0"\n  a:\n    version: 74.20.0\nformat-version: "2"\n',
    );
  });

  it('writes empty collections and booleans in flow form', () => {
    expect(
      writeYaml(
        yamlMapping([
          ['a', []],
          ['b', yamlMapping([])],
          ['c', false],
        ]),
      ),
    ).toBe('a: []\nb: {}\nc: false\n');
  });

  it('refuses a scalar with a line break rather than write it differently', () => {
    expect(() => writeYaml(yamlMapping([['k', 'a\nb']]))).toThrow(/line break/);
  });
});

describe('compareBytewise', () => {
  it.each([
    ['a', 'b', -1],
    ['B', 'a', -1],
    ['a', 'a', 0],
    ['a', 'ab', -1],
    ['\uffff', '😀', -1],
    ['😀', '\ue000', 1],
    ['é', 'z', 1],
  ] as const)('%j vs %j', (a, b, sign) => {
    expect(Math.sign(compareBytewise(a, b))).toBe(sign);
    expect(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)))).toBe(sign);
  });

  it('sorts like the bytes of the UTF-8 encoding', () => {
    const words = ['b', 'a', 'B', '😀', '\uffff', 'é', 'a0', 'a-', 'A', '\ue000', '\ud7ff'];
    const bytewise = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...words].sort(compareBytewise)).toEqual(bytewise);
    expect([...words].sort()).not.toEqual(bytewise);
  });
});
