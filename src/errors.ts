/**
 * A failure the user can fix: the message names the field, file or remote state, says what was
 * expected and what to do. Anything else that escapes a step is treated as a bug or an
 * unexpected remote failure.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** Folds an error and its causes into the single line Concourse users read last on stderr. */
export function describeError(error: unknown): string {
  if (error instanceof UserError) return oneLine(error.message);
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof UserError) {
      parts.push(current.message);
      break;
    }
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return oneLine(
    `${parts.join(': ')} (unexpected failure: re-run with source.debug: true for details; if it persists, report it)`,
  );
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
