import { writeSync } from 'node:fs';
import { describeError, UserError } from '../errors.js';
import { createLogger, SecretRegistry, type Logger } from '../io/log.js';
import type { SourceSettings } from './settings.js';

/** What every step gets besides its parsed input. */
export interface StepContext {
  log: Logger;
  secrets: SecretRegistry;
  /** Command-line arguments after the executable: `[DEST]` for in, `[SRC]` for out. */
  args: string[];
  env: NodeJS.ProcessEnv;
}

interface StepOptions<Input extends { source: SourceSettings }, Output> {
  parse: (raw: unknown) => Input;
  run: (input: Input, context: StepContext) => Promise<Output>;
  stdin?: AsyncIterable<Buffer | string>;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * The one place that touches stdin and stdout: reads the whole request, parses it, runs the
 * step, prints exactly one JSON document, and turns every failure into one line on stderr and
 * exit code 1. Returns the exit code.
 */
export async function runStep<Input extends { source: SourceSettings }, Output>(
  options: StepOptions<Input, Output>,
): Promise<number> {
  const secrets = new SecretRegistry();
  let log = createLogger({ debug: false, secrets });
  try {
    const raw = parseJson(await readAll(options.stdin ?? process.stdin));
    registerSecrets(raw, secrets);
    const input = options.parse(raw);
    log = createLogger({ debug: input.source.debug, secrets });
    log.debug(
      { repository: `${input.source.owner}/${input.source.repo}`, api: input.source.apiUrl },
      'request parsed',
    );
    const output = await options.run(input, {
      log,
      secrets,
      args: options.args ?? process.argv.slice(2),
      env: options.env ?? process.env,
    });
    writeSync(1, `${JSON.stringify(output)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof UserError)) log.debug({ err: error }, 'failure details');
    writeSync(2, `${secrets.scrub(`error: ${describeError(error)}`)}\n`);
    return 1;
  }
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') {
    throw new UserError(
      'the request on stdin is empty: Concourse sends a JSON object with "source"',
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    // The parser's own message quotes the input, which may hold a token: never repeat it.
    throw new UserError(
      `the request on stdin is not valid JSON (${text.length} bytes): check the resource's source and params`,
    );
  }
}

// Secrets are registered from the raw request, before validation, so that even a request that
// fails to parse cannot echo them.
function registerSecrets(raw: unknown, secrets: SecretRegistry): void {
  if (typeof raw !== 'object' || raw === null) return;
  const source = (raw as { source?: unknown }).source;
  if (typeof source !== 'object' || source === null) return;
  for (const key of ['access_token', 'private_key']) {
    const value = (source as Record<string, unknown>)[key];
    if (typeof value === 'string') secrets.add(value);
  }
  // A URL's password is scrubbed as a value too, wherever it shows up without its URL.
  for (const key of ['git_url', 'github_api_url']) {
    const value = (source as Record<string, unknown>)[key];
    if (typeof value !== 'string') continue;
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(value.trim())?.[1];
    if (userinfo === undefined) continue;
    // `user:password`, or a token alone as the user (`https://TOKEN@host`).
    const secret = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : userinfo;
    secrets.add(secret);
    secrets.add(decodeURIComponentSafe(secret));
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
