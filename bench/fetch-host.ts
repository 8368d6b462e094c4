// The fetch benchmark's sandbox runs in a child process, a fresh one for every measurement: no
// measurement pays for what an earlier one left behind (before the sandbox streamed packs with
// backpressure, serving a GiB left its process holding ~800 MiB, and every process it spawned
// afterwards cost ~20 ms more to fork), and the measuring process stays small.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import type { ResourceVersion } from '../src/concourse/contract.js';
import { OWNER, serveRepo, sourceFor } from './context.js';
import { mergeReleasePull } from './release-pulls.js';
import type { SyntheticRepo } from './synthetic-repo.js';

/** The flag that makes dist/tools/bench.mjs a host instead of the harness. */
export const FETCH_HOST_FLAG = '--fetch-host';

/** A repository served with its release PR merged: what `in` and the clones are pointed at. */
export interface ServedRelease {
  gitUrl: string;
  token: string;
  request: { source: Record<string, unknown>; version: ResourceVersion };
}

interface HostReply {
  served?: ServedRelease;
  error?: string;
}

/** Starts a host serving `repo` as `name`; `stop` ends it and removes what it made. */
export async function startFetchHost(
  repo: SyntheticRepo,
  name: string,
): Promise<{ served: ServedRelease; stop: () => Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), [FETCH_HOST_FLAG], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.connected) child.disconnect();
    await exited;
  };
  try {
    const reply = await ask(child, { repo, name });
    if (reply.served === undefined) throw new Error(`the fetch host failed: ${reply.error ?? ''}`);
    return { served: reply.served, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function ask(
  child: ChildProcess,
  message: { repo: SyntheticRepo; name: string },
): Promise<HostReply> {
  return new Promise((resolve, reject) => {
    child.once('message', (reply) => resolve(reply as HostReply));
    child.once('exit', (code) => reject(new Error(`the fetch host exited ${code ?? ''}`)));
    child.send(message);
  });
}

/** The host's side: serves one repository until the harness disconnects, then cleans up. */
export function runFetchHost(): void {
  let sandbox: Sandbox | undefined;
  process.once('message', (message) => {
    const { repo, name } = message as { repo: SyntheticRepo; name: string };
    serve(repo, name).then(
      (served) => process.send?.({ served } satisfies HostReply),
      (error: unknown) => process.send?.({ error: String(error) } satisfies HostReply),
    );
  });
  process.once('disconnect', () => {
    void (sandbox?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
  });

  async function serve(repo: SyntheticRepo, name: string): Promise<ServedRelease> {
    sandbox = await startSandbox();
    await serveRepo(sandbox, repo, { name, withLockBranch: true });
    const { number, mergeSha } = await mergeReleasePull(sandbox, {
      repo: name,
      head: repo.lockBranch,
      releaseName: repo.releaseName,
      version: repo.lockVersion,
      source: repo.mainSha,
    });
    return {
      gitUrl: sandbox.gitUrl(OWNER, name),
      token: sandbox.token,
      request: {
        source: sourceFor(sandbox, name),
        version: { version: repo.lockVersion, pr: String(number), ref: mergeSha },
      },
    };
  }
}
