// The Concourse wire contract: what arrives on stdin and what goes to stdout, as JSON.
// Types only; parsing lives in settings.ts.

/** A resource version: a flat object of immutable strings (DESIGN §4). */
export interface Version {
  version: string;
  pr: string;
  ref: string;
}

/** One `{name, value}` metadata pair shown in the Concourse UI (public: never a secret). */
export interface MetadataField {
  name: string;
  value: string;
}

/** `source` exactly as the pipeline writes it. */
export interface RawSource {
  repository: string;
  access_token?: string;
  app_id?: string | number;
  private_key?: string;
  installation_id?: string | number;
  github_api_url?: string;
  git_url?: string;
  base_branch?: string;
  release_name?: string;
  branch_prefix?: string;
  labels?: string[];
  git_author_name?: string;
  git_author_email?: string;
  ca_certs?: string;
  skip_ssl_verification?: boolean;
  debug?: boolean;
  track?: 'both' | 'final_builds';
  report_lower_versions?: boolean;
}

/** `params` of a put, exactly as the pipeline writes them. */
export interface RawOutParams {
  repository: string;
  version?: string;
  title?: string;
  body?: string;
  body_file?: string;
  commit_message?: string;
  labels?: string[];
  reviewers?: string[];
  team_reviewers?: string[];
  assignees?: string[];
  draft?: boolean;
  on_open_pr?: 'fail' | 'wait';
  wait_timeout?: string;
  wait_interval?: string;
  on_closed_pr?: 'reclaim' | 'fail';
  stale_lock_after?: string;
  import?: boolean;
  allow_uncommitted_changes?: boolean;
}

/** `params` of a get, exactly as the pipeline writes them. */
export interface RawInParams {
  skip_download?: boolean;
}

/** Requests as they arrive on stdin. `version` may be absent, null or partial. */
export interface CheckRequest {
  source: RawSource;
  version?: Partial<Version> | null;
}

export interface InRequest {
  source: RawSource;
  version: Partial<Version>;
  params?: RawInParams | null;
}

export interface OutRequest {
  source: RawSource;
  params: RawOutParams;
}

/** Responses as they go to stdout. */
export type CheckResponse = Version[];

export interface InOutResponse {
  version: Version;
  metadata: MetadataField[];
}
