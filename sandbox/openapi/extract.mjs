// Regenerates sandbox/openapi/github-rest.json: the few operations the sandbox serves, with
// every schema they reference, cut out of GitHub's published OpenAPI description.
//
// @octokit/openapi is 385 MB, so it is not a dependency. To regenerate:
//   mkdir -p /tmp/openapi && (cd /tmp/openapi && npm install @octokit/openapi)
//   node sandbox/openapi/extract.mjs /tmp/openapi/node_modules/@octokit/openapi
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// The operations the sandbox implements; keep in step with sandbox/rest/routes.ts and
// sandbox/model/docs.ts.
export const OPERATIONS = [
  'rate-limit/get',
  'users/get-authenticated',
  'repos/get',
  'repos/get-branch',
  'repos/get-commit',
  'repos/compare-commits-with-basehead',
  'repos/list-commits',
  'repos/get-content',
  'repos/list-pull-requests-associated-with-commit',
  'repos/create-commit-status',
  'repos/list-commit-statuses-for-ref',
  'repos/get-combined-status-for-ref',
  'git/get-commit',
  'git/get-ref',
  'git/list-matching-refs',
  'git/create-ref',
  'git/update-ref',
  'git/delete-ref',
  'pulls/list',
  'pulls/create',
  'pulls/get',
  'pulls/update',
  'pulls/merge',
  'pulls/check-if-merged',
  'pulls/list-commits',
  'pulls/list-requested-reviewers',
  'pulls/request-reviewers',
  'pulls/remove-requested-reviewers',
  'issues/get',
  'issues/list-labels-on-issue',
  'issues/add-labels',
  'issues/set-labels',
  'issues/remove-label',
  'issues/add-assignees',
  'issues/remove-assignees',
  'issues/list-comments',
  'issues/create-comment',
  'apps/get-repo-installation',
  'apps/create-installation-access-token',
];

// Prose and examples are most of the description's size and no schema needs them.
const DROPPED_KEYS = new Set(['description', 'examples', 'example', 'externalDocs']);

// The keys of a `properties` map are field names (a label has a `description`), never prose.
function prune(value, isPropertyMap = false) {
  if (Array.isArray(value)) return value.map((child) => prune(child));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, child] of Object.entries(value)) {
    const dropped = DROPPED_KEYS.has(key) || key.startsWith('x-');
    if (isPropertyMap || !dropped) out[key] = prune(child, key === 'properties');
  }
  return out;
}

function collectRefs(value, found) {
  if (Array.isArray(value)) {
    for (const child of value) collectRefs(child, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.add(child);
      else collectRefs(child, found);
    }
  }
}

const packageDir = process.argv[2];
if (!packageDir) {
  console.error('usage: node sandbox/openapi/extract.mjs <path to node_modules/@octokit/openapi>');
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const spec = JSON.parse(readFileSync(join(packageDir, 'generated', 'api.github.com.json'), 'utf8'));

const paths = {};
const wanted = new Set(OPERATIONS);
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    if (!wanted.has(operation.operationId)) continue;
    wanted.delete(operation.operationId);
    paths[path] ??= {};
    paths[path][method] = prune({
      operationId: operation.operationId,
      parameters: operation.parameters,
      requestBody: operation.requestBody,
      responses: operation.responses,
    });
  }
}
if (wanted.size > 0) throw new Error(`operations not found: ${[...wanted].join(', ')}`);

// Copy every component reachable from the chosen operations.
const components = {};
const pending = new Set();
collectRefs(paths, pending);
const done = new Set();
while (pending.size > 0) {
  const [ref] = pending;
  pending.delete(ref);
  if (done.has(ref)) continue;
  done.add(ref);
  const [, , kind, name] = ref.split('/');
  const target = spec.components[kind][name];
  if (target === undefined) throw new Error(`dangling ${ref}`);
  const pruned = prune(target);
  components[kind] ??= {};
  components[kind][name] = pruned;
  collectRefs(pruned, pending);
}
for (const kind of Object.keys(components)) {
  components[kind] = Object.fromEntries(Object.entries(components[kind]).sort());
}

const extract = {
  openapi: spec.openapi,
  info: {
    title: 'GitHub REST API (extract used by the bosh-release-pr sandbox)',
    version: spec.info.version,
    'x-source': `@octokit/openapi@${pkg.version} generated/api.github.com.json`,
  },
  paths,
  components,
};
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'github-rest.json');
writeFileSync(out, `${JSON.stringify(extract)}\n`);
console.log(`wrote ${out}: ${Object.keys(paths).length} paths, ${done.size} components`);
