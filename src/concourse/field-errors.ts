import type { ErrorObject, SchemaObject, ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';
import { nearestWord } from './nearest-word.js';

// Ajv's errors as the one-line messages a pipeline author reads: the field's path in the request,
// what was expected, what was given, and the nearest known field for a typo.

/** `value` when `validate` accepts it; else a UserError with up to three of its errors. */
export function checked<T>(
  validate: ValidateFunction<T>,
  value: unknown,
  path: string,
  schema: SchemaObject,
): T {
  if (validate(value)) return value;
  const messages = (validate.errors ?? []).map((error) => explain(error, path, schema, value));
  throw new UserError([...new Set(messages)].slice(0, 3).join('; '));
}

function explain(error: ErrorObject, root: string, schema: SchemaObject, value: unknown): string {
  const field = root + error.instancePath.replace(/\//g, '.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  const properties = (schema.properties ?? {}) as Record<string, SchemaObject>;
  const known = Object.keys(properties);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const hint = nearestWord(key, known);
      return hint === undefined
        ? `${field}.${key}: unknown field (known fields: ${known.join(', ')})`
        : `${field}.${key}: unknown field, did you mean ${hint}?`;
    }
    case 'required': {
      const key = String(error.params.missingProperty);
      const what = properties[key]?.description;
      return `${field}.${key}: required${what === undefined ? '' : ` (${what})`}`;
    }
    case 'type': {
      const actual = describeType(valueAt(value, error.instancePath));
      return `${field}: must be ${article(String(error.params.type))}, got ${actual}`;
    }
    case 'enum':
      return `${field}: must be one of ${(error.params.allowedValues as unknown[]).join(', ')}, got ${JSON.stringify(valueAt(value, error.instancePath))}`;
    case 'pattern': {
      const key = error.instancePath.split('/')[1] ?? '';
      const what = properties[key]?.description ?? `to match ${String(error.params.pattern)}`;
      return `${field}: must be ${what}, got ${JSON.stringify(valueAt(value, error.instancePath))}`;
    }
    case 'minLength':
      return `${field}: must not be empty`;
    default:
      return `${field}: ${error.message ?? 'is invalid'}`;
  }
}

function valueAt(value: unknown, pointer: string): unknown {
  let current = value;
  for (const part of pointer.split('/').slice(1)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** How a JSON value is named in messages: its type, and a short rendering of it. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.slice(0, 40))})`;
  if (typeof value === 'object') return 'an object';
  return `${article(typeof value)} (${JSON.stringify(value)})`;
}

function article(type: string): string {
  const names = type
    .split(',')
    .map((t) => (t === 'integer' ? 'an integer' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`));
  return names.join(' or ');
}
