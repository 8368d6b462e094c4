import type { IncomingMessage } from 'node:http';
import type { Sandbox } from '../index.js';
import type { FaultSpec } from './faults.js';
import type { MergeMethod } from '../git/merge.js';
import type { RepositoryOptions } from '../model/repositories.js';
import type { ControlHandler } from './server.js';

function object(text: string): Record<string, unknown> {
  const value: unknown = text.trim() === '' ? {} : JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error('expected a JSON object');
  return value as Record<string, unknown>;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The standalone sandbox's remote control under `/_sandbox/` (the in-process handle offers the
 * same operations): acting as a human, injecting faults, reading the log.
 */
export function createControlHandler(getSandbox: () => Sandbox): ControlHandler {
  return async (request: IncomingMessage, body: string, url: URL) => {
    const sandbox = getSandbox();
    const method = request.method ?? 'GET';
    const path = url.pathname.replace(/^\/_sandbox/, '');
    const input = method === 'GET' || method === 'DELETE' ? {} : object(body);
    let match: RegExpExecArray | null;

    if (method === 'GET' && path === '/log') return { status: 200, body: sandbox.log() };
    if (method === 'DELETE' && path === '/log') {
      sandbox.clearLog();
      return { status: 204, body: undefined };
    }
    if (method === 'POST' && path === '/faults') {
      sandbox.injectFault(input as unknown as FaultSpec);
      return { status: 201, body: sandbox.pendingFaults() };
    }
    if (method === 'DELETE' && path === '/faults') {
      sandbox.clearFaults();
      return { status: 204, body: undefined };
    }
    if (method === 'POST' && path === '/tokens') {
      const token = sandbox.addToken({
        readOnly: input['readOnly'] === true,
        login: text(input['login']),
        workflows: input['workflows'] === true,
      });
      return { status: 201, body: { token } };
    }
    if (method === 'POST' && path === '/clock') {
      if (typeof input['advanceMs'] === 'number') sandbox.clock.advance(input['advanceMs']);
      else sandbox.clock.set(typeof input['now'] === 'string' ? new Date(input['now']) : null);
      return { status: 200, body: { now: sandbox.clock.now().toISOString() } };
    }
    if (method === 'POST' && path === '/repos') {
      await sandbox.createRepository(input as unknown as RepositoryOptions);
      return {
        status: 201,
        body: { gitUrl: sandbox.gitUrl(String(input['owner']), String(input['repo'])) },
      };
    }
    if (
      (match = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/(merge|close)$/.exec(path)) &&
      method === 'POST'
    ) {
      const [, owner = '', repo = '', number = '', action] = match;
      if (action === 'merge') {
        const sha = await sandbox.mergePull(owner, repo, Number(number), {
          method: (text(input['method']) ?? 'merge') as MergeMethod,
          by: text(input['by']),
        });
        return { status: 200, body: { sha } };
      }
      await sandbox.closePull(owner, repo, Number(number), { by: text(input['by']) });
      return { status: 200, body: sandbox.pull(owner, repo, Number(number)) };
    }
    if (
      (match = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/reopen$/.exec(path)) &&
      method === 'POST'
    ) {
      const [, owner = '', repo = '', number = ''] = match;
      await sandbox.reopenPull(owner, repo, Number(number), { by: text(input['by']) });
      return { status: 200, body: sandbox.pull(owner, repo, Number(number)) };
    }
    if ((match = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(path)) && method === 'PATCH') {
      const [, owner = '', repo = '', number = ''] = match;
      await sandbox.editPull(owner, repo, Number(number), {
        ...(typeof input['title'] === 'string' ? { title: input['title'] } : {}),
        ...('body' in input ? { body: text(input['body']) ?? null } : {}),
        ...(typeof input['base'] === 'string' ? { base: input['base'] } : {}),
        by: text(input['by']),
      });
      return { status: 200, body: sandbox.pull(owner, repo, Number(number)) };
    }
    if (method === 'POST' && path === '/pull-list-lag') {
      sandbox.setPullListLag(typeof input['ms'] === 'number' ? input['ms'] : 0);
      return { status: 204, body: undefined };
    }
    if ((match = /^\/repos\/([^/]+)\/([^/]+)\/commits$/.exec(path)) && method === 'POST') {
      const [, owner = '', repo = ''] = match;
      const sha = await sandbox.commitToBranch(owner, repo, String(input['branch']), {
        files: (input['files'] ?? {}) as Record<string, string | null>,
        message: text(input['message']) ?? 'Update',
        by: text(input['by']),
      });
      return { status: 201, body: { sha } };
    }
    if ((match = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(path)) && method === 'GET') {
      const [, owner = '', repo = ''] = match;
      return { status: 200, body: sandbox.pulls(owner, repo) };
    }
    return { status: 404, body: { message: `no control route ${method} ${path}` } };
  };
}
