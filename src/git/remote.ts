import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitRemote } from './git.js';

/**
 * The token reaches git only as a command-scoped http.extraHeader in GIT_CONFIG_* variables
 * (git ≥ 2.31): never in argv, a remote URL or .git/config (docs/secrets-and-errors.md). The
 * header is scoped to the repository's URL so that it is not sent to any other host.
 */
export function remoteEnv(options: {
  url: string;
  token: string | undefined;
  caFile?: string;
  skipSslVerification?: boolean;
}): Record<string, string> {
  const settings: Array<[string, string]> = [];
  if (options.token !== undefined) {
    const basic = Buffer.from(`x-access-token:${options.token}`).toString('base64');
    settings.push([`http.${options.url}.extraHeader`, `Authorization: Basic ${basic}`]);
  }
  if (options.skipSslVerification === true) settings.push(['http.sslVerify', 'false']);
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(settings.length) };
  settings.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  if (options.caFile !== undefined) env.GIT_SSL_CAINFO = options.caFile;
  return env;
}

/**
 * Runs one git command that talks to `remote`: with a token valid now and, when the remote has
 * its own CA bundle, that bundle in a file that lives only as long as the command.
 */
export async function withRemote<T>(
  remote: GitRemote,
  run: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const token = await remote.token?.current();
  const settings = { url: remote.url, token, skipSslVerification: remote.skipSslVerification };
  if (remote.caBundle === undefined) return run(remoteEnv(settings));
  const dir = await mkdtemp(join(tmpdir(), 'brp-ca-'));
  try {
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, remote.caBundle, { mode: 0o600 });
    return await run(remoteEnv({ ...settings, caFile }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The fields a user checks when a remote refuses the token. */
export function credentialFields(remote: GitRemote): string {
  return remote.token?.fields ?? 'source.access_token';
}

/**
 * What `git remote add origin <url>` and `git sparse-checkout set --no-cone <patterns>` write in a
 * new repository, written directly: two git processes fewer on the path of every get. Without
 * patterns, only the remote (nothing is checked out).
 */
export async function configureSparseRemote(
  dir: string,
  url: string,
  patterns: readonly string[] | undefined,
): Promise<void> {
  const quoted = `"${url.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  await appendFile(
    join(dir, '.git', 'config'),
    [
      '[remote "origin"]',
      `\turl = ${quoted}`,
      '\tfetch = +refs/heads/*:refs/remotes/origin/*',
      ...(patterns === undefined
        ? []
        : ['[core]', '\tsparseCheckout = true', '\tsparseCheckoutCone = false']),
      '',
    ].join('\n'),
  );
  if (patterns === undefined) return;
  await mkdir(join(dir, '.git', 'info'), { recursive: true });
  await writeFile(join(dir, '.git', 'info', 'sparse-checkout'), `${patterns.join('\n')}\n`);
}
