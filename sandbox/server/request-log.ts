import type { GitService } from '../git-http/backend.js';
import type { RefUpdate } from '../model/branches.js';
import type { FaultKind } from './faults.js';

export interface RequestLogEntry {
  /** 1, 2, 3… in arrival order. */
  seq: number;
  /** ISO time the request arrived (sandbox clock). */
  time: string;
  kind: 'rest' | 'git' | 'control' | 'other';
  method: string;
  /**
   * The route template, e.g. `GET /repos/{owner}/{repo}/pulls`,
   * `POST /{owner}/{repo}.git/git-receive-pack`, or the raw path when nothing matched.
   */
  route: string;
  /** Path and query as requested. */
  path: string;
  /** Status sent (or that would have been sent before a `lost` fault); 0 when reset. */
  status: number;
  /** Id of the token used (never the token itself), or null. */
  tokenId: string | null;
  /** A REST method other than GET/HEAD, or a push (`git-receive-pack` POST). */
  write: boolean;
  /** `owner/repo` when the request addressed one. */
  repository: string | null;
  gitService: GitService | null;
  /** Refs the request changed (pushes, ref API calls, merges), empty when none. */
  refUpdates: RefUpdate[];
  /** The injected fault that hit this request, if any. */
  fault: FaultKind | null;
  /** Whether the request counted against the token's primary rate limit. */
  countedAgainstRateLimit: boolean;
  durationMs: number;
}

/** What an endpoint records of a request: all but its arrival, kind, path and duration. */
export type Served = Omit<
  RequestLogEntry,
  'seq' | 'time' | 'kind' | 'method' | 'path' | 'durationMs' | 'refUpdates'
> & { refUpdates?: RefUpdate[] };

/** Every request the sandbox served, for tests to count calls and prove that nothing was written. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  nextSeq(): number {
    return ++this.seq;
  }

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  all(): RequestLogEntry[] {
    return this.entries.map((entry) => ({ ...entry, refUpdates: [...entry.refUpdates] }));
  }

  clear(): void {
    this.entries = [];
  }
}
