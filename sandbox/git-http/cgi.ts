import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isolatedGitEnv } from '../git/run.js';

/** What `git http-backend` answered: the status and headers of its CGI header block, and the body. */
export interface CgiResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Runs the CGI; returns its whole output, or streams it to `stream` (and returns nothing). */
export function runCgi(
  env: Record<string, string>,
  request: IncomingMessage,
  stream: ServerResponse | undefined,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const child = spawn('git', ['http-backend'], {
      env: isolatedGitEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    let streaming = false;
    // Backpressure: a pack of a GiB is read from git no faster than the client takes it, so the
    // sandbox never holds it in memory.
    const send = (chunk: Buffer) => {
      if (stream === undefined || stream.write(chunk)) return;
      child.stdout.pause();
      stream.once('drain', () => child.stdout.resume());
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (streaming) {
        send(chunk);
        return;
      }
      chunks.push(chunk);
      if (stream === undefined) return;
      const head = parseCgi(Buffer.concat(chunks), true);
      if (head === null) return;
      streaming = true;
      stream.writeHead(head.status, head.headers);
      if (head.body.length > 0) send(head.body);
    });
    // A client that went away stops the pack it was sent.
    stream?.on('close', () => {
      if (child.exitCode === null) child.kill();
    });
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (stream !== undefined) {
        if (!streaming) {
          const whole = parseCgi(Buffer.concat(chunks));
          stream.writeHead(whole.status, whole.headers);
          stream.write(whole.body);
        }
        stream.end();
        resolve(Buffer.alloc(0));
      } else if (code !== 0 && chunks.length === 0) {
        reject(new Error(`git http-backend failed (${code}): ${Buffer.concat(errors).toString()}`));
      } else {
        resolve(Buffer.concat(chunks));
      }
    });
    child.stdin.on('error', () => undefined);
    request.pipe(child.stdin);
  });
}

export function parseCgi(output: Buffer): CgiResponse;
export function parseCgi(output: Buffer, partial: true): CgiResponse | null;
export function parseCgi(output: Buffer, partial = false): CgiResponse | null {
  let split = output.indexOf('\r\n\r\n');
  let separator = 4;
  if (split === -1) {
    split = output.indexOf('\n\n');
    separator = 2;
  }
  if (split === -1) return partial ? null : { status: 500, headers: {}, body: output };
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of output.subarray(0, split).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers, body: output.subarray(split + separator) };
}
