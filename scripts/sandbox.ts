// The GitHub sandbox as a standalone server: `npm run sandbox [-- options]`.
// Seeds the example release as acme/example-release and prints the URLs and a token; runs until
// interrupted. Options: --port N, --bundle PATH, --branches a,b (default main),
// --delete-branch-on-merge, --json (one JSON line instead of the text).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSandbox } from '../sandbox/index.js';

const OWNER = 'acme';
const REPO = 'example-release';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env['SANDBOX_PORT'] ?? '0' },
    bundle: { type: 'string', default: 'test/fixtures/example-release/example-release.bundle' },
    branches: { type: 'string', default: 'main' },
    'delete-branch-on-merge': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const sandbox = await startSandbox({ port: Number(values.port), control: true });
await sandbox.createRepository({
  owner: OWNER,
  repo: REPO,
  bundle: resolve(values.bundle),
  branches: values.branches.split(',').filter((branch) => branch !== ''),
  defaultBranch: 'main',
  protectedBranches: ['main'],
  collaborators: ['octocat'],
  deleteBranchOnMerge: values['delete-branch-on-merge'],
});

const info = {
  apiUrl: sandbox.apiUrl,
  gitUrl: sandbox.gitUrl(OWNER, REPO),
  token: sandbox.token,
  controlUrl: `${sandbox.webUrl}/_sandbox`,
};
if (values.json) {
  console.log(JSON.stringify(info));
} else {
  console.log(`GitHub sandbox serving ${OWNER}/${REPO} (protected main)
  API URL (source.github_api_url): ${info.apiUrl}
  git URL:                         ${info.gitUrl}
  token (source.access_token):     ${info.token}
  control: ${info.controlUrl}  e.g. POST /repos/${OWNER}/${REPO}/pulls/1/merge {"method":"squash"},
           GET /repos/${OWNER}/${REPO}/pulls, GET /log, POST /faults {"route":"…","kind":"lost"}
Ctrl-C stops it and removes its files.`);
}

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void sandbox.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
