import { readFileSync } from 'node:fs';
import { readPackets, SIDEBAND_MAX, writePackets } from '../git/pkt-line.js';
import type { CgiResponse } from './cgi.js';

/** What the pre-receive hook declined, ref by ref, in GitHub's words. */
export function readReasons(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return new Map();
  }
  const reasons = new Map<string, string>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0 && !reasons.has(line.slice(0, tab)))
      reasons.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return reasons;
}

const HOOK_DECLINED = 'pre-receive hook declined';

/**
 * The receive-pack answer with GitHub's reason for each ref the hook declined instead of git's
 * "pre-receive hook declined": `ng <ref> <reason>` in the report-status, which travels inside
 * side-band channel 1 when the client asked for side-band-64k (as git does).
 */
export function withReasons(response: CgiResponse, reasons: Map<string, string>): CgiResponse {
  if (reasons.size === 0) return response;
  const rewrite = (report: Buffer): Buffer =>
    writePackets(
      readPackets(report).map((packet) => {
        const line = packet?.toString('utf8');
        const match = line === undefined ? null : /^ng (\S+) (.*)\n?$/.exec(line);
        const reason = match === null ? undefined : reasons.get(match[1] ?? '');
        if (match === null || reason === undefined || match[2] !== HOOK_DECLINED) return packet;
        return Buffer.from(`ng ${match[1] ?? ''} ${reason}\n`);
      }),
    );
  const packets = readPackets(response.body);
  const banded = packets.some((packet) => packet !== null && packet[0] === 1);
  let body: Buffer;
  if (!banded) {
    body = rewrite(response.body);
  } else {
    const report = Buffer.concat(
      packets.filter((packet): packet is Buffer => packet?.[0] === 1).map((p) => p.subarray(1)),
    );
    const rewritten = rewrite(report);
    const chunks: Buffer[] = [];
    for (let at = 0; at < rewritten.length; at += SIDEBAND_MAX) {
      chunks.push(Buffer.concat([Buffer.from([1]), rewritten.subarray(at, at + SIDEBAND_MAX)]));
    }
    const first = packets.findIndex((packet) => packet?.[0] === 1);
    const others = packets.filter((packet) => packet?.[0] !== 1);
    others.splice(first, 0, ...chunks);
    body = writePackets(others);
  }
  const headers = { ...response.headers };
  delete headers['content-length'];
  return { ...response, headers, body };
}
