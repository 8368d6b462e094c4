import { fail } from '../model/errors.js';

/** The parsed JSON body of a request, or 400 "Problems parsing JSON" like GitHub. */
export function parseJsonBody(raw: string, documentationUrl: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return fail(400, 'Problems parsing JSON', documentationUrl);
  }
}

/** A JSON object's fields; anything else reads as no fields. */
export function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** A string field that may be absent (or null); any other type is GitHub's 422. */
export function optionalString(
  body: Record<string, unknown>,
  key: string,
  documentationUrl: string,
): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    return fail(
      422,
      `Invalid request.\n\nFor '${key}', ${JSON.stringify(value)} is not a string.`,
      documentationUrl,
    );
  }
  return value;
}

/** A required string field: GitHub answers `Invalid request.\n\n"x" wasn't supplied.` */
export function requiredString(
  body: Record<string, unknown>,
  key: string,
  documentationUrl: string,
): string {
  const value = optionalString(body, key, documentationUrl);
  if (value === undefined) {
    return fail(422, `Invalid request.\n\n"${key}" wasn't supplied.`, documentationUrl);
  }
  return value;
}

/** The strings of a JSON array (other items and other values: none). */
export function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string');
}
