import { UserError } from '../errors.js';
import { compareBytewise, writeYaml, yamlMapping, type YamlMapping } from './canonical-yaml.js';
import { loadYaml, YamlFields } from './yaml-reader.js';

// The shape shared by `.final_builds/**/index.yml` and `releases/<name>/index.yml`
// (bosh-cli releasedir/index/fs_index.go, releasedir/fs_release_index.go): a `builds` mapping of
// entries, then `format-version: "2"`. The CLI sorts keys with sort.Strings (bytewise) and
// writes entry fields in struct order.

/** One entry of an index file as read: its key and its fields. */
interface IndexFileEntry {
  readonly key: string;
  readonly fields: YamlFields;
}

const FORMAT_VERSION = '2';

/** Reads the entries of an index file, checking the document's shape. */
export function readIndexFile(text: string, path: string): IndexFileEntry[] {
  const root = YamlFields.of(loadYaml(text, path), path, 'the document');
  const formatVersion = root.optionalString('format-version');
  if (formatVersion !== FORMAT_VERSION) {
    const found = formatVersion === undefined ? 'missing' : JSON.stringify(formatVersion);
    throw new UserError(
      `${path}: format-version is ${found}, expected "2" (the file may be truncated, or written by a bosh CLI too old): restore it from git`,
    );
  }
  const builds = root.optionalMapping('builds');
  if (builds === undefined && root.has('builds')) return [];
  if (builds === undefined) {
    throw new UserError(
      `${path}: builds is missing: the file may be truncated; restore it from git`,
    );
  }
  return builds.keys().map((key) => {
    const fields = builds.optionalMapping(key);
    if (fields === undefined) {
      throw new UserError(`${path}: builds.${key} is empty: restore the file from git`);
    }
    return { key, fields };
  });
}

/**
 * Reads an index file written exactly as the bosh CLI writes it, without a YAML parser:
 * returns each key with its field values in the given order (absent optional fields as
 * undefined), or undefined as soon as anything differs, so the caller falls back to
 * {@link readIndexFile}. Indexes of real repositories hold tens of thousands of entries.
 */
export function tryReadCanonicalIndexFile(
  text: string,
  fieldNames: readonly string[],
  optionalFields: ReadonlySet<string>,
): Array<[string, Array<string | undefined>]> | undefined {
  const start = 'builds:\n';
  const end = 'format-version: "2"\n';
  if (!text.startsWith(start) || !text.endsWith(end)) return undefined;
  const entry = entryPattern(fieldNames, optionalFields);
  const stop = text.length - end.length;
  const entries: Array<[string, Array<string | undefined>]> = [];
  const seen = new Set<string>();
  entry.lastIndex = start.length;
  while (entry.lastIndex < stop) {
    const match = entry.exec(text);
    if (match === null) return undefined;
    const [, key = '', ...raw] = match;
    if (!SIMPLE_KEY.test(key) || seen.has(key)) return undefined;
    seen.add(key);
    const values: Array<string | undefined> = [];
    for (const value of raw) {
      const read = value === undefined ? undefined : readSimpleScalar(value);
      if (value !== undefined && read === undefined) return undefined;
      values.push(read);
    }
    entries.push([key, values]);
  }
  return entry.lastIndex === stop ? entries : undefined;
}

const patterns = new Map<string, RegExp>();

// One sticky pattern per entry: "  key:" then each field on its own line, in order.
function entryPattern(fieldNames: readonly string[], optionalFields: ReadonlySet<string>): RegExp {
  const id = `${fieldNames.join(',')}|${[...optionalFields].join(',')}`;
  let pattern = patterns.get(id);
  if (pattern === undefined) {
    const fields = fieldNames.map((field) => {
      const line = ` {4}${field}: ([^\\n]*)\\n`;
      return optionalFields.has(field) ? `(?:${line})?` : line;
    });
    pattern = new RegExp(` {2}([^\\n]*):\\n${fields.join('')}`, 'y');
    patterns.set(id, pattern);
  }
  pattern.lastIndex = 0;
  return pattern;
}

// What a plain scalar in these files looks like: hex, UUIDs, versions, "sha256:<hex>", "a;b".
const SIMPLE_KEY = /^[0-9A-Za-z][0-9A-Za-z_.;+-]*$/;
const SIMPLE_PLAIN = /^[0-9A-Za-z][0-9A-Za-z_.:;+-]*$/;
const SIMPLE_DOUBLE_QUOTED = /^"[0-9A-Za-z_.:;+-]*"$/;
const PLAIN_NULLS = new Set(['null', 'Null', 'NULL']);

function readSimpleScalar(text: string): string | undefined {
  if (SIMPLE_PLAIN.test(text) && !text.endsWith(':') && !PLAIN_NULLS.has(text)) return text;
  if (SIMPLE_DOUBLE_QUOTED.test(text)) return text.slice(1, -1);
  return undefined;
}

/** Writes an index file the way the bosh CLI does: keys sorted bytewise. */
export function writeIndexFile(entries: Iterable<readonly [string, YamlMapping]>): string {
  const sorted = [...entries].sort(([a], [b]) => compareBytewise(a, b));
  return writeYaml(
    yamlMapping([
      ['builds', yamlMapping(sorted)],
      ['format-version', FORMAT_VERSION],
    ]),
  );
}
