// The commit status a put and a refresh set on the release PR's head (docs/lock.md, "The commit
// status"): what it says in each case, within GitHub's limits. Pure.

/** What a status says: its state and its one-line description. */
export interface StatusVerdict {
  state: 'pending' | 'success' | 'failure';
  description: string;
}

// "description is too long (maximum is 140 characters)": GitHub's 422 for a longer one
// (https://github.com/zalando/zappr/issues/378; the sandbox answers the same).
const MAX_DESCRIPTION = 140;

/** While a put or a refresh works on the head: merging waits when the status is required. */
export function pendingVerdict(what: string, base: string): StatusVerdict {
  return { state: 'pending', description: fitDescription(`${what}: checking it against ${base}`) };
}

/** The release on the head is safe to merge onto the base as it is at `baseSha`. */
export function safeVerdict(base: string, baseSha: string): StatusVerdict {
  return {
    state: 'success',
    description: fitDescription(`safe to merge onto ${base} at ${baseSha}`),
  };
}

/** The release is not safe to merge: the one-line reason. */
export function unsafeVerdict(reason: string): StatusVerdict {
  return { state: 'failure', description: fitDescription(reason) };
}

/**
 * A description GitHub accepts: one line, at most 140 characters (counted as code points, so
 * that a multi-byte character is not cut in two), cut with an ellipsis.
 */
export function fitDescription(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  if (chars.length <= MAX_DESCRIPTION) return line;
  return `${chars
    .slice(0, MAX_DESCRIPTION - 1)
    .join('')
    .trimEnd()}…`;
}
