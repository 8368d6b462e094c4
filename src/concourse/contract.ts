// The Concourse wire contract: what arrives on stdin and what goes to stdout, as JSON.
// Types only; the fields of source and params are declared in fields.ts, parsed in settings.ts.
import type { GET_FIELDS, PUT_FIELDS, Raw, SOURCE_FIELDS } from './fields.js';

/** A resource version: a flat object of immutable strings (docs/versions.md). */
export interface ResourceVersion {
  version: string;
  pr: string;
  ref: string;
}

/** One `{name, value}` metadata pair shown in the Concourse UI (public: never a secret). */
export interface MetadataField {
  name: string;
  value: string;
}

/** `source` exactly as the pipeline writes it (declared in fields.ts). */
export type RawSource = Raw<typeof SOURCE_FIELDS>;

/** `params` of a put, exactly as the pipeline writes them. */
export type RawPutParams = Raw<typeof PUT_FIELDS>;

/** `params` of a get, exactly as the pipeline writes them. */
export type RawGetParams = Raw<typeof GET_FIELDS>;

/** Requests as they arrive on stdin. `version` may be absent, null or partial. */
export interface CheckRequest {
  source: RawSource;
  version?: Partial<ResourceVersion> | null;
}

export interface GetRequest {
  source: RawSource;
  version: Partial<ResourceVersion>;
  params?: RawGetParams | null;
}

export interface PutRequest {
  source: RawSource;
  params: RawPutParams;
}

/** Responses as they go to stdout. */
export type CheckResponse = ResourceVersion[];

export interface GetPutResponse {
  version: ResourceVersion;
  metadata: MetadataField[];
}
