/** The Concourse build a put runs in, from the environment Concourse gives in and out. */
export interface BuildInfo {
  /** A link to the build, when Concourse gives enough to make one. */
  url: string | undefined;
  /** `team/pipeline/job #name`, the pipeline with its instance vars, for messages. */
  label: string | undefined;
}

/**
 * Reads BUILD_* and ATC_EXTERNAL_URL into a link and a label. Concourse ≥ 8.0 gives BUILD_URL;
 * before, the link is made as Concourse makes BUILD_URL (atc/exec/step_metadata.go): the job's
 * build page, with an instanced pipeline's BUILD_PIPELINE_INSTANCE_VARS as the `vars.` query the
 * web UI reads (without them the page is another instance's build of the same name).
 */
export function buildInfo(env: NodeJS.ProcessEnv): BuildInfo {
  const {
    ATC_EXTERNAL_URL,
    BUILD_ID,
    BUILD_NAME,
    BUILD_JOB_NAME,
    BUILD_PIPELINE_NAME,
    BUILD_TEAM_NAME,
  } = env;
  const instance = instanceVars(env.BUILD_PIPELINE_INSTANCE_VARS);
  const base = ATC_EXTERNAL_URL?.replace(/\/+$/, '');
  let url = nonEmpty(env.BUILD_URL);
  if (url === undefined && base !== undefined) {
    if (
      BUILD_TEAM_NAME &&
      BUILD_PIPELINE_NAME &&
      BUILD_JOB_NAME &&
      BUILD_NAME &&
      instance !== 'unreadable'
    ) {
      url = `${base}/teams/${enc(BUILD_TEAM_NAME)}/pipelines/${enc(BUILD_PIPELINE_NAME)}/jobs/${enc(BUILD_JOB_NAME)}/builds/${enc(BUILD_NAME)}${query(instance)}`;
    } else if (BUILD_ID) {
      // A build's id names it alone, whatever pipeline instance it belongs to.
      url = `${base}/builds/${enc(BUILD_ID)}`;
    }
  }
  const pipeline =
    BUILD_PIPELINE_NAME && Array.isArray(instance) && instance.length > 0
      ? `${BUILD_PIPELINE_NAME}/${instance.map(([ref, value]) => `${ref}:${labelValue(value)}`).join(',')}`
      : BUILD_PIPELINE_NAME;
  const label =
    pipeline && BUILD_JOB_NAME
      ? `${BUILD_TEAM_NAME ? `${BUILD_TEAM_NAME}/` : ''}${pipeline}/${BUILD_JOB_NAME} #${BUILD_NAME ?? BUILD_ID ?? '?'}`
      : undefined;
  return { url, label };
}

/** A flattened instance var: its reference (`a.b`, segments quoted when needed) and its value. */
type InstanceVar = [ref: string, value: unknown];

/**
 * BUILD_PIPELINE_INSTANCE_VARS (a JSON object) flattened as Concourse flattens instance vars
 * (vars.StaticVariables.Flatten): nested objects become dotted references, anything else is a
 * value; sorted by reference. [] when the pipeline is not instanced.
 */
function instanceVars(json: string | undefined): InstanceVar[] | 'unreadable' {
  if (json === undefined || json === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return 'unreadable';
  }
  if (!isObject(parsed)) return 'unreadable';
  const flat: InstanceVar[] = [];
  const walk = (segments: string[], value: unknown): void => {
    if (isObject(value)) {
      for (const [key, inner] of Object.entries(value)) walk([...segments, key], inner);
    } else {
      flat.push([segments.map(refSegment).join('.'), value]);
    }
  };
  walk([], parsed);
  return flat.sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

// vars.refSegmentString: a segment holding one of `,.:/ ` is quoted (Go's %q).
function refSegment(segment: string): string {
  return /[,.:/ ]/.test(segment) ? JSON.stringify(segment) : segment;
}

/**
 * `?vars.<ref>=<JSON value>&…` as Go's url.Values.Encode writes atc.PipelineRef.QueryParams:
 * keys sorted, both sides query-escaped (space as `+`, only `A-Za-z0-9-_.~` left as they are).
 */
function query(instance: InstanceVar[] | 'unreadable'): string {
  if (instance === 'unreadable' || instance.length === 0) return '';
  return `?${instance.map(([ref, value]) => `${goQueryEscape(`vars.${ref}`)}=${goQueryEscape(goJson(value))}`).join('&')}`;
}

function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** JSON as Go's encoding/json writes it: HTML-safe strings, map keys sorted. */
function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return `{${keys.map((key) => `${goJson(key)}:${goJson(value[key])}`).join(',')}}`;
  }
  return (JSON.stringify(value) ?? 'null').replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * An instance var's value as Concourse prints a pipeline (atc.InstanceVars.String, as in
 * `fly -p release/branch:main`): JSON, with a string's quotes left off unless YAML would read it
 * as something else or it holds one of `,: /`.
 */
function labelValue(value: unknown): string {
  const json = goJson(value);
  if (typeof value !== 'string') return json;
  return /[,: /]/.test(value) || !plainYamlString(value) ? json : json.slice(1, -1);
}

// Plain scalars that YAML 1.1 (go-yaml, which Concourse parses with) reads as null, a boolean or
// a number, and text that starts with a YAML indicator: all need quotes to stay strings.
const YAML_NON_STRING =
  /^(?:~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[-+]?0x[0-9a-fA-F_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/;

function plainYamlString(text: string): boolean {
  return (
    text !== '' &&
    text.trim() === text &&
    !/^[-?:,[\]{}#&*!|>'"%@`]/.test(text) &&
    !YAML_NON_STRING.test(text)
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function enc(part: string): string {
  return encodeURIComponent(part);
}
