/** The Concourse build a put runs in, from the environment Concourse gives in and out. */
export interface BuildInfo {
  /** A link to the build, when Concourse gives enough to make one. */
  url: string | undefined;
  /** `team/pipeline/job #name`, for messages. */
  label: string | undefined;
}

/** Reads BUILD_* and ATC_EXTERNAL_URL (BUILD_URL on newer Concourse) into a link and a label. */
export function buildInfo(env: NodeJS.ProcessEnv): BuildInfo {
  const {
    BUILD_URL,
    ATC_EXTERNAL_URL,
    BUILD_ID,
    BUILD_NAME,
    BUILD_JOB_NAME,
    BUILD_PIPELINE_NAME,
    BUILD_TEAM_NAME,
  } = env;
  const base = ATC_EXTERNAL_URL?.replace(/\/+$/, '');
  let url = nonEmpty(BUILD_URL);
  if (url === undefined && base !== undefined) {
    if (BUILD_TEAM_NAME && BUILD_PIPELINE_NAME && BUILD_JOB_NAME && BUILD_NAME) {
      url = `${base}/teams/${enc(BUILD_TEAM_NAME)}/pipelines/${enc(BUILD_PIPELINE_NAME)}/jobs/${enc(BUILD_JOB_NAME)}/builds/${enc(BUILD_NAME)}`;
    } else if (BUILD_ID) {
      url = `${base}/builds/${enc(BUILD_ID)}`;
    }
  }
  const label =
    BUILD_PIPELINE_NAME && BUILD_JOB_NAME
      ? `${BUILD_TEAM_NAME ? `${BUILD_TEAM_NAME}/` : ''}${BUILD_PIPELINE_NAME}/${BUILD_JOB_NAME} #${BUILD_NAME ?? BUILD_ID ?? '?'}`
      : undefined;
  return { url, label };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function enc(part: string): string {
  return encodeURIComponent(part);
}
