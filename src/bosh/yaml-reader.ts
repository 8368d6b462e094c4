import {
  defineScalarTag,
  FAILSAFE_SCHEMA,
  load,
  NOT_RESOLVED,
  realMapTag,
  YAMLException,
} from 'js-yaml';
import type { ScalarTagDefinition } from 'js-yaml';
import { UserError } from '../errors.js';

// Every scalar is read as the string it is written as: with a YAML 1.1/1.2 schema `1.10` would
// become 1.1 and `0e21678` would become 0, and distinct versions would collide. Only a plain
// null (`~`, `null`, empty) is told apart, because Go reads it as an empty string.

/** A loaded YAML node: a string, null, a sequence or a mapping with string keys. */
export type YamlNode = string | null | YamlNode[] | Map<string, YamlNode>;

const NULL_FORMS = new Set(['', '~', 'null', 'Null', 'NULL']);

const nullTag = defineScalarTag('tag:yaml.org,2002:null', {
  implicit: true,
  implicitFirstChars: ['', '~', 'n', 'N'],
  resolve: (source) => (NULL_FORMS.has(source) ? null : NOT_RESOLVED),
  identify: (data) => data === null,
});

// The Ruby CLI wrote `!binary` (sic) for some values; the Go CLI rewrites it to `!!binary`
// before reading (bosh-cli releasedir/index/fs_index.go, release/manifest/release.go).
function binaryTag(tagName: string): ScalarTagDefinition<string> {
  return defineScalarTag(tagName, {
    resolve: (source) => Buffer.from(source.replace(/\s+/g, ''), 'base64').toString('utf8'),
    identify: () => false,
  });
}

const SCHEMA = FAILSAFE_SCHEMA.withTags(
  realMapTag,
  nullTag,
  binaryTag('!binary'),
  binaryTag('tag:yaml.org,2002:binary'),
);

// Metadata files never use aliases; a few are tolerated, a flood (billion laughs) is not.
const MAX_ALIASES = 100;

/** Loads one YAML document with every scalar as a string; malformed text is a UserError. */
export function loadYaml(text: string, path: string): YamlNode {
  let document: unknown;
  try {
    document = load(text, { schema: SCHEMA, filename: path, maxAliases: MAX_ALIASES });
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    const line = error.mark === undefined ? '' : ` at line ${error.mark.line + 1}`;
    throw new UserError(
      `${path} is not valid YAML (${error.reason}${line}): restore it from git, or re-run bosh create-release`,
      { cause: error },
    );
  }
  return toNode(document, path);
}

function toNode(value: unknown, path: string): YamlNode {
  if (value === null || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => toNode(item, path));
  if (value instanceof Map) {
    const map = new Map<string, YamlNode>();
    for (const [key, item] of value) {
      if (typeof key !== 'string') {
        throw new UserError(`${path} has a mapping key that is not a string: fix the file`);
      }
      map.set(key, toNode(item, path));
    }
    return map;
  }
  throw new UserError(`${path} holds a value of an unexpected type: fix the file`);
}

/** Reads fields of one YAML mapping, naming the file and field in every error. */
export class YamlFields {
  constructor(
    private readonly map: ReadonlyMap<string, YamlNode>,
    readonly path: string,
    readonly where: string,
  ) {}

  /** Wraps a node that must be a mapping. */
  static of(node: YamlNode | undefined, path: string, where: string): YamlFields {
    if (!(node instanceof Map)) {
      throw new UserError(`${path}: ${where} must be a mapping: fix the file`);
    }
    return new YamlFields(node, path, where);
  }

  /** Whether the field is present (even if null). */
  has(key: string): boolean {
    return this.map.has(key);
  }

  /** The keys in file order. */
  keys(): string[] {
    return [...this.map.keys()];
  }

  /** A string field that must be present and not empty. */
  string(key: string): string {
    const value = this.optionalString(key);
    if (value === undefined || value === '') {
      throw new UserError(
        `${this.path}: ${this.field(key)} is missing or empty: the file may be truncated; restore it from git`,
      );
    }
    return value;
  }

  /** A string field; undefined when absent or null (Go reads both as ""). */
  optionalString(key: string): string | undefined {
    const value = this.map.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      throw new UserError(`${this.path}: ${this.field(key)} must be a string: fix the file`);
    }
    return value;
  }

  /** A boolean field in any YAML 1.1 spelling Go accepts; undefined when absent. */
  optionalBoolean(key: string): boolean | undefined {
    const value = this.optionalString(key);
    if (value === undefined) return undefined;
    if (TRUE_FORMS.has(value)) return true;
    if (FALSE_FORMS.has(value)) return false;
    throw new UserError(
      `${this.path}: ${this.field(key)} must be true or false, not ${JSON.stringify(value)}: fix the file`,
    );
  }

  /** A mapping field; undefined when absent or null. */
  optionalMapping(key: string): YamlFields | undefined {
    const value = this.map.get(key);
    if (value === undefined || value === null) return undefined;
    return YamlFields.of(value, this.path, this.field(key));
  }

  /** A sequence field; an empty list when absent or null. */
  sequence(key: string): YamlNode[] {
    const value = this.map.get(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      throw new UserError(`${this.path}: ${this.field(key)} must be a list: fix the file`);
    }
    return value;
  }

  /** A sequence of strings; an empty list when absent or null. */
  strings(key: string): string[] {
    return this.sequence(key).map((item, index) => {
      if (typeof item !== 'string' || item === '') {
        throw new UserError(
          `${this.path}: ${this.field(key)}[${index}] must be a non-empty string: fix the file`,
        );
      }
      return item;
    });
  }

  /** The name of a field for messages, e.g. `jobs[2].sha1`. */
  field(key: string): string {
    return this.where === '' ? key : `${this.where}.${key}`;
  }
}

const TRUE_FORMS = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
]);
const FALSE_FORMS = new Set([
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
]);
