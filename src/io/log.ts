import { writeSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

export type { Logger };

const REDACTED = '[REDACTED]';

// Field names that hold credentials wherever they appear in a log object. pino's redaction only
// covers structured fields; the sink below also scrubs the literal secret values, so a secret
// interpolated into a message or an error text is caught too.
const REDACT_PATHS = [
  'access_token',
  'accessToken',
  'private_key',
  'privateKey',
  'token',
  'authorization',
  '*.access_token',
  '*.accessToken',
  '*.private_key',
  '*.privateKey',
  '*.token',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'request.headers.authorization',
  '*.request.headers.authorization',
];

// GitHub's token formats (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), caught even when a token
// was never registered, e.g. one a remote echoed back.
const GITHUB_TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g;

// The userinfo of any URL (`https://user:password@host`): git, undici ("Request cannot be
// constructed from a URL that includes credentials: …") and proxies echo URLs whole.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"<>]+@/gi;

/** The literal secret values to scrub from everything written to stderr. */
export class SecretRegistry {
  private readonly values = new Set<string>();

  add(value: string | undefined): void {
    // Very short values would scrub ordinary words; real tokens and keys are long.
    if (value !== undefined && value.length >= 8) {
      this.values.add(value);
      // A PEM key may surface line by line (e.g. in an error), so register its body lines too.
      for (const line of value.split('\n'))
        if (line.trim().length >= 16) this.values.add(line.trim());
    }
  }

  scrub(text: string): string {
    let out = text;
    for (const value of this.values) out = out.split(value).join(REDACTED);
    return out.replace(GITHUB_TOKEN, REDACTED).replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  }
}

interface LoggerOptions {
  debug: boolean;
  secrets: SecretRegistry;
  /** Where finished lines go; fd 2 (stderr) in the steps. */
  write?: (line: string) => void;
}

/**
 * A pino logger writing human-readable lines synchronously to stderr. Synchronous on purpose:
 * pino transports run in worker threads, which do not survive bundling, and a step that exits
 * right after an error must not lose its last lines.
 */
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => writeSync(2, line));
  const pretty = prettyFactory({
    colorize: false,
    ignore: 'pid,hostname',
    translateTime: 'SYS:HH:MM:ss',
    singleLine: true,
  });
  return pino(
    {
      level: options.debug ? 'debug' : 'info',
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    { write: (chunk: string) => write(options.secrets.scrub(pretty(chunk))) },
  );
}
