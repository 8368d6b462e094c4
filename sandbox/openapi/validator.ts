import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SPEC_FILE = fileURLToPath(new URL('./github-rest.json', import.meta.url));
const ROOT_ID = 'github-rest';

/**
 * Where GitHub's description is known to disagree with what GitHub answers, the answer wins:
 * each correction names its schema, the path inside it, and the report.
 */
const SCHEMA_CORRECTIONS: {
  schema: string;
  path: string[];
  nullable: true;
  source: string;
}[] = [
  {
    // A label without a description lists as `"description": null` in pulls lists too.
    schema: 'pull-request-simple',
    path: ['properties', 'labels', 'items', 'properties', 'description'],
    nullable: true,
    source: 'https://github.com/github/rest-api-description/issues/1812',
  },
];

function applyCorrections(spec: JsonObject): void {
  const components = spec['components'];
  const schemas = isObject(components) ? components['schemas'] : undefined;
  for (const correction of SCHEMA_CORRECTIONS) {
    let node: Json | undefined = isObject(schemas) ? schemas[correction.schema] : undefined;
    for (const key of correction.path) node = isObject(node) ? node[key] : undefined;
    if (!isObject(node)) throw new Error(`schema correction target missing: ${correction.schema}`);
    node['nullable'] = true;
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * OpenAPI 3.0 schema → JSON Schema: `nullable: true` becomes `anyOf [schema, {type: null}]`
 * (which also covers enums, `$ref`s and `allOf`), and component references point into the
 * registered document.
 */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  let nullable = false;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable') {
      nullable = value === true;
    } else if (key === '$ref' && typeof value === 'string') {
      out[key] = `${ROOT_ID}${value}`;
    } else if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema)]),
      );
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  return nullable ? { anyOf: [out, { type: 'null' }] } : out;
}

interface ResponseCheck {
  /** The schema the body was checked against: the documented one, or basic-error for errors. */
  schema: string;
  /** Whether GitHub's description documents this status for the operation. */
  documented: boolean;
  errors: string[];
}

/** Validates response bodies against the committed extract of GitHub's OpenAPI description. */
export class OpenApiValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly spec: JsonObject;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    addFormats.default(this.ajv);
    this.spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as JsonObject;
    applyCorrections(this.spec);
    this.ajv.addSchema({
      $id: ROOT_ID,
      components: toJsonSchema(this.spec['components'] ?? {}),
    } as object);
  }

  /** The `{status: schemaPointer}` map of an operation's JSON responses. */
  private responses(operationId: string): Map<string, string | null> {
    const paths = this.spec['paths'];
    if (!isObject(paths)) throw new Error('no paths in the OpenAPI extract');
    for (const [path, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      for (const [method, operation] of Object.entries(item)) {
        if (!isObject(operation) || operation['operationId'] !== operationId) continue;
        const result = new Map<string, string | null>();
        const responses = operation['responses'];
        if (!isObject(responses)) return result;
        for (const [status, response] of Object.entries(responses)) {
          result.set(
            status,
            this.schemaPointer(response, `/paths/${escape(path)}/${method}/responses/${status}`),
          );
        }
        return result;
      }
    }
    throw new Error(`operation ${operationId} is not in the OpenAPI extract`);
  }

  private schemaPointer(response: Json | undefined, pointer: string): string | null {
    if (!isObject(response)) return null;
    const ref = response['$ref'];
    if (typeof ref === 'string') {
      const name = ref.split('/').pop() ?? '';
      const components = this.spec['components'];
      const target =
        isObject(components) && isObject(components['responses'])
          ? components['responses'][name]
          : undefined;
      return this.schemaPointer(target, `/components/responses/${name}`);
    }
    const content = response['content'];
    if (!isObject(content) || !isObject(content['application/json'])) return null;
    return `${pointer}/content/application~1json/schema`;
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer);
    if (validate === undefined) {
      const schema = pointer.startsWith('/components/')
        ? { $ref: `${ROOT_ID}#${pointer}` }
        : toJsonSchema(resolvePointer(this.spec, pointer));
      validate = this.ajv.compile(schema as object);
      this.compiled.set(pointer, validate);
    }
    return validate;
  }

  /** Checks one response body of an operation (by operationId) against its documented schema. */
  check(operationId: string, status: number, body: unknown): ResponseCheck {
    const responses = this.responses(operationId);
    const documented = responses.has(String(status));
    let pointer = responses.get(String(status)) ?? null;
    if (pointer === null && status >= 400) pointer = '/components/schemas/basic-error';
    if (pointer === null) {
      const empty = body === undefined || body === '';
      return {
        schema: '(no content)',
        documented,
        errors: empty ? [] : ['a body where the description documents none'],
      };
    }
    const validate = this.validator(pointer);
    const valid = validate(body);
    const errors = valid
      ? []
      : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
    return { schema: pointer, documented, errors };
  }
}

function escape(path: string): string {
  return path.replace(/~/g, '~0').replace(/\//g, '~1');
}

function resolvePointer(document: JsonObject, pointer: string): Json {
  let node: Json = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node)) throw new Error(`bad pointer ${pointer}`);
    node = node[key] ?? null;
  }
  return node;
}
