// The README's field tables say what src/concourse/fields.ts declares: the same fields, and for
// each declared default, that default.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GET_FIELDS, PUT_FIELDS, SOURCE_FIELDS, type Field } from '../../src/concourse/fields.js';
import { PROJECT_ROOT } from '../support/run-bundle.js';

const README = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');

/** The rows of the first table under a `## heading`: field names (code spans) → default cell. */
function table(heading: string): Map<string, string> {
  const section = README.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  const rows = section.split('\n').filter((line) => /^\| `/.test(line));
  const fields = new Map<string, string>();
  for (const row of rows) {
    const [names = '', , defaults = ''] = row.split(' | ').map((cell) => cell.replace(/^\| /, ''));
    for (const [, name = ''] of names.matchAll(/`([a-z_]+)`/g)) fields.set(name, defaults);
  }
  return fields;
}

function rendered(value: NonNullable<Field['default']>): string {
  if (Array.isArray(value)) return `\`[${value.join(', ')}]\``;
  return `\`${String(value)}\``;
}

describe.each([
  ['`source`', SOURCE_FIELDS],
  ['`put` params', PUT_FIELDS],
  ['`get` params', GET_FIELDS],
] as Array<[string, Record<string, Field>]>)('README, %s', (heading, fields) => {
  const rows = table(heading);

  it('lists exactly the declared fields', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(fields).sort());
  });

  it('gives each declared default', () => {
    for (const [name, field] of Object.entries(fields)) {
      if (field.default === undefined) continue;
      expect(`${name}: ${rows.get(name) ?? ''}`).toContain(`${name}: ${rendered(field.default)}`);
    }
  });
});
