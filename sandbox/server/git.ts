import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GitRequestPath } from '../git-http/backend.js';
import { gitServiceOf, serveGit } from '../git-http/backend.js';
import { tokenFromAuthorization } from './credentials.js';
import { gitFaultAnswer } from './faults.js';
import type { Served } from './request-log.js';
import type { ServerDependencies } from './server.js';

/**
 * Serves one git smart-HTTP request (`/<owner>/<repo>.git/…`): classify it, authenticate its
 * token, let an injected fault act, refuse what GitHub refuses (with its plain-text answers),
 * then run `git http-backend` — for a push, the pull requests follow before it answers.
 */
export async function serveGitRequest(
  { context, faults }: ServerDependencies,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  path: GitRequestPath,
): Promise<Served> {
  const service = gitServiceOf(path, url.searchParams);
  const isServiceCall = path.action !== 'info/refs';
  const repository = context.repositories.find(path.owner, path.repo);
  const credential = tokenFromAuthorization(request.headers.authorization);
  const token = credential === null ? undefined : context.tokens.find(credential);
  const logged = {
    route: path.route,
    repository: repository?.fullName ?? `${path.owner}/${path.repo}`,
    gitService: service,
    write: isServiceCall && service === 'git-receive-pack',
    tokenId: token?.id ?? null,
    countedAgainstRateLimit: false,
  };
  const fault = faults.take({
    rest: false,
    route: path.route,
    gitService: service,
    gitServiceCall: isServiceCall,
    repository: logged.repository,
  });
  const plain = (status: number, text: string, headers: Record<string, string> = {}): Served => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    response.end(text);
    return { ...logged, status, fault: fault?.kind ?? null };
  };

  if (fault?.kind === 'reset') {
    request.socket.destroy();
    return { ...logged, status: 0, fault: 'reset' };
  }
  if (fault?.kind === 'delay') await sleep(fault.delayMs);
  const faultAnswer = gitFaultAnswer(fault);
  if (faultAnswer !== null) return plain(faultAnswer.status, faultAnswer.text, faultAnswer.headers);

  // git asks for credentials only after a 401 with a challenge.
  if (token === undefined) {
    return plain(401, 'Invalid username or token.\n', {
      'www-authenticate': 'Basic realm="GitHub"',
    });
  }
  if (repository === undefined || !token.reach(repository.fullName))
    return plain(404, 'Repository not found.\n');
  if (service === 'git-receive-pack' && token.readOnly) {
    return plain(403, `Permission to ${repository.fullName}.git denied to ${token.login}.\n`);
  }
  if (service === null) return plain(403, 'Service not enabled.\n');

  const lost = fault?.kind === 'lost';
  const served = await serveGit({
    context,
    request,
    repository,
    path,
    query: url.searchParams,
    token,
    stream: lost ? undefined : response,
  });
  if (lost) {
    request.socket.destroy();
  } else if (!response.headersSent) {
    response.writeHead(served.response.status, served.response.headers);
    response.end(served.response.body);
  }
  return {
    ...logged,
    status: served.response.status,
    fault: fault?.kind ?? null,
    refUpdates: served.refUpdates,
  };
}
