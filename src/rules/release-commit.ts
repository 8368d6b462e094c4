// The release commit's message: a subject and git trailers that identify the release, the commit
// it was cut from and the build that made it. The lock reads them back to recognise its owner.

export const TRAILER = {
  version: 'Bosh-Release-Version',
  source: 'Bosh-Release-Source',
  key: 'Bosh-Release-Key',
  build: 'Concourse-Build',
} as const;

export interface ReleaseTrailers {
  version?: string;
  source?: string;
  key?: string;
  build?: string;
}

/** Formats a release commit message: the subject, then the trailers (git interpret-trailers form). */
export function formatCommitMessage(subject: string, trailers: ReleaseTrailers): string {
  const lines = (Object.keys(TRAILER) as Array<keyof typeof TRAILER>)
    .filter((field) => trailers[field] !== undefined && trailers[field] !== '')
    .map((field) => `${TRAILER[field]}: ${trailers[field] ?? ''}`);
  return `${subject.trim()}\n\n${lines.join('\n')}\n`;
}

/** Reads the release trailers from the last paragraph of a commit message. */
export function parseCommitTrailers(message: string): ReleaseTrailers {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const last = paragraphs.length > 1 ? (paragraphs.at(-1) ?? '') : '';
  const found: ReleaseTrailers = {};
  for (const line of last.split('\n')) {
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line.trim());
    if (match === null) continue;
    for (const [field, name] of Object.entries(TRAILER) as Array<[keyof typeof TRAILER, string]>) {
      if (match[1]?.toLowerCase() === name.toLowerCase()) found[field] = match[2] ?? '';
    }
  }
  return found;
}
