// The `source` and `params` contract, declared once: each field's JSON type and constraints (from
// which the Ajv schemas are made), its default, and the words messages use for it. The raw and
// settings types follow from these declarations (contract.ts, settings.ts); the README's tables
// list the same fields and defaults, which test/unit/contract.test.ts checks.

/** One field of `source` or `params`. */
export interface Field {
  /**
   * `string`: a non-empty string; `text`: any string; `id`: a string or an integer; `strings`: a
   * list of non-empty strings; `duration`: a Go-style duration, in ms once parsed; `enum`: one of
   * `values`.
   */
  readonly type: 'string' | 'text' | 'boolean' | 'strings' | 'id' | 'duration' | 'enum';
  readonly values?: readonly string[];
  /** A pattern the string must match, described by `description` in messages. */
  readonly pattern?: string;
  readonly required?: true;
  /** Applied when the field is absent. */
  readonly default?: string | boolean | readonly string[];
  /** What the field holds, for the messages of `pattern` and `required`. */
  readonly description?: string;
}

/** `source`: the resource's configuration. */
export const SOURCE_FIELDS = {
  repository: {
    type: 'string',
    required: true,
    pattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+$',
    description: 'owner/name of the GitHub repository, e.g. acme/example-release',
  },
  access_token: { type: 'string' },
  app_id: { type: 'id' },
  private_key: { type: 'string' },
  installation_id: { type: 'id' },
  github_api_url: {
    type: 'string',
    pattern: '^https?://[^\\s/]+(/[^\\s]*)?$',
    description: 'an http(s) URL such as https://github.example.com/api/v3',
    default: 'https://api.github.com',
  },
  git_url: {
    type: 'string',
    pattern: '^https?://[^\\s@]+$',
    description: 'an http(s) URL of the repository without credentials',
  },
  base_branch: { type: 'string' },
  release_name: {
    type: 'string',
    pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
    description: 'a BOSH release name such as example',
  },
  branch_prefix: { type: 'string', default: 'bosh-release-pr/' },
  labels: { type: 'strings', default: [] },
  git_author_name: { type: 'string', default: 'bosh-release-pr' },
  git_author_email: { type: 'string', default: 'bosh-release-pr@users.noreply.github.com' },
  ca_certs: { type: 'string' },
  skip_ssl_verification: { type: 'boolean', default: false },
  debug: { type: 'boolean', default: false },
  track: { type: 'enum', values: ['both', 'final_builds'], default: 'both' },
  report_lower_versions: { type: 'boolean', default: false },
  // One context for every put and refresh of the resource: branch protection requires it by name.
  status_context: { type: 'string', default: 'bosh-release-pr' },
} as const satisfies Record<string, Field>;

/** `params` of a put. */
export const PUT_FIELDS = {
  // Required unless `refresh` (parsePutRequest says so): a refresh reads the repository alone.
  repository: {
    type: 'string',
    description: 'the name of the artifact holding the checkout, e.g. release-repo',
  },
  refresh: { type: 'boolean', default: false },
  version: { type: 'string' },
  // title and commit_message default by what is delivered (DEFAULT_SUBJECT, put/pull-request.ts).
  title: { type: 'string' },
  body: { type: 'text' },
  body_file: { type: 'string' },
  commit_message: { type: 'string' },
  labels: { type: 'strings', default: [] },
  reviewers: { type: 'strings', default: [] },
  team_reviewers: { type: 'strings', default: [] },
  assignees: { type: 'strings', default: [] },
  draft: { type: 'boolean', default: false },
  on_open_pr: { type: 'enum', values: ['fail', 'wait'], default: 'fail' },
  wait_timeout: { type: 'duration', default: '1h' },
  wait_interval: { type: 'duration', default: '15s' },
  on_closed_pr: { type: 'enum', values: ['reclaim', 'fail'], default: 'reclaim' },
  stale_lock_after: { type: 'duration', default: '30m' },
  import: { type: 'boolean', default: false },
  allow_uncommitted_changes: { type: 'boolean', default: false },
} as const satisfies Record<string, Field>;

/** `params` of a get. */
export const GET_FIELDS = {
  skip_download: { type: 'boolean', default: false },
  all_metadata: { type: 'boolean', default: false },
} as const satisfies Record<string, Field>;

/** A field's value as the pipeline writes it. */
type RawValue<F extends Field> = F extends { type: 'boolean' }
  ? boolean
  : F extends { type: 'strings' }
    ? string[]
    : F extends { type: 'id' }
      ? string | number
      : F extends { type: 'enum'; values: readonly (infer V)[] }
        ? V
        : string;

/** An object as the pipeline writes it: required fields present, the others optional. */
export type Raw<Fields extends Record<string, Field>> = {
  -readonly [K in keyof Fields as Fields[K] extends { required: true } ? K : never]: RawValue<
    Fields[K]
  >;
} & {
  -readonly [K in keyof Fields as Fields[K] extends { required: true } ? never : K]?: RawValue<
    Fields[K]
  >;
};

type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;

/** What the steps see of such an object: camelCase names, defaults applied, durations in ms. */
export type Settings<Fields extends Record<string, Field>> = {
  -readonly [
    K in keyof Fields & string as Fields[K] extends { type: 'duration' }
      ? `${Camel<K>}Ms`
      : Camel<K>
  ]: Fields[K] extends { type: 'duration' }
    ? number
    : Fields[K] extends { default: unknown } | { required: true }
      ? RawValue<Fields[K]>
      : RawValue<Fields[K]> | undefined;
};

/**
 * The settings of a checked raw object (see Settings); `parse` reads a duration, naming the field
 * (`params.wait_timeout`) in its message.
 */
export function settingsOf<Fields extends Record<string, Field>>(
  fields: Fields,
  raw: Raw<Fields>,
  options: { path: string; parseDuration: (text: string, field: string) => number },
): Settings<Fields> {
  const settings: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const given = (raw as Record<string, unknown>)[name];
    const value = given ?? (Array.isArray(field.default) ? [...field.default] : field.default);
    const key = name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    if (field.type === 'duration') {
      settings[`${key}Ms`] = options.parseDuration(String(value), `${options.path}.${name}`);
    } else {
      settings[key] = value;
    }
  }
  return settings as Settings<Fields>;
}

/** The JSON schema Ajv checks an object of these fields with (unknown fields refused). */
export function schemaOf(fields: Record<string, Field>): Record<string, unknown> {
  const required = Object.keys(fields).filter((name) => fields[name]?.required === true);
  return {
    type: 'object',
    additionalProperties: false,
    ...(required.length > 0 ? { required } : {}),
    properties: Object.fromEntries(
      Object.entries(fields).map(([name, field]) => [name, propertySchema(field)]),
    ),
  };
}

function propertySchema(field: Field): Record<string, unknown> {
  const described = field.description === undefined ? {} : { description: field.description };
  switch (field.type) {
    case 'string':
    case 'duration':
      return field.pattern === undefined
        ? { type: 'string', minLength: 1, ...described }
        : { type: 'string', pattern: field.pattern, ...described };
    case 'text':
      return { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'id':
      return { type: ['string', 'integer'] };
    case 'strings':
      return { type: 'array', items: { type: 'string', minLength: 1 } };
    case 'enum':
      return { enum: field.values };
  }
}

/** The default of a field, as the type of its raw value. */
export function defaultOf<Fields extends Record<string, Field>, K extends keyof Fields & string>(
  fields: Fields,
  name: K,
): Fields[K] extends { default: infer D } ? D : undefined {
  return fields[name]?.default as Fields[K] extends { default: infer D } ? D : undefined;
}
