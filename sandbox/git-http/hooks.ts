import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZERO_SHA } from '../git/run.js';
import type { SandboxContext } from '../model/context.js';
import type { Repository } from '../model/repositories.js';
import type { Token } from '../model/tokens.js';

/**
 * Writes the hooks every sandbox repository uses (`core.hooksPath`). pre-receive refuses what
 * GitHub refuses, with GitHub's texts, from what serveGit puts in its environment:
 * - updates of protected branches: GH006, reason "protected branch hook declined"
 *   (https://github.com/SageMathOER-CCC/sage-discrete-math/issues/84), and deleting the default
 *   branch;
 * - rulesets: GH013, "Review all repository rules at …", one "- <rule>" per violation, reason
 *   "push declined due to repository rule violations" (https://github.com/JRedrupp/bison/issues/136
 *   "Cannot force-push to this branch", https://github.com/vercel/sandbox/pull/169 "Commits must
 *   have verified signatures." with the violating commits, https://github.com/open-city-ai/haidian/issues/1148
 *   "Cannot create ref due to creations being restricted.", https://github.com/yshavit/mdq/pull/255
 *   "Changes must be made through a pull request.", "Cannot update this protected ref."
 *   https://stackoverflow.com/questions/78285135); every commit without a signature counts as
 *   unverified;
 * - a token without the workflow scope or permission that would move a branch across changes
 *   under `.github/workflows/`: only the reason, e.g. "refusing to allow a GitHub App to create or
 *   update workflow `.github/workflows/ci.yml` without `workflows` permission"
 *   (https://github.com/repo-sync/github-sync/issues/23; for tokens "…a Personal Access Token…
 *   without `workflow` scope", https://github.com/DataChefHQ/aws-data-landing-zone/issues/29).
 *   An update is refused when the workflows differ between the old and the new tip — a branch
 *   kept while its base changed its workflows is refused as well
 *   (https://github.com/peter-evans/create-pull-request/issues/3510,
 *   https://github.com/wildfly/wildfly.org/issues/549); a new branch when one of its commits new
 *   to the repository changes them;
 * - a custom pre-receive hook (GitHub Enterprise Server): its message, reason "pre-receive hook
 *   declined".
 * The reasons go to $SANDBOX_REASONS for serveGit, which puts them into git's report (a hook
 * itself can only decline). post-receive records the ref updates that went through for the
 * request log.
 */
export function writeHooks(hooksDir: string): void {
  mkdirSync(hooksDir, { recursive: true });
  const preReceive = `#!/bin/sh
zero=${ZERO_SHA}
status=0
decline() {
  if [ -n "$SANDBOX_REASONS" ]; then printf '%s\\t%s\\n' "$1" "$2" >> "$SANDBOX_REASONS"; fi
  status=1
}
matches() {
  printf '%s\\n' "$1" | grep -Eq "$2"
}
violate() {
  case "$violations" in *"- $1"*) return ;; esac
  violations="$violations- $1

"
}
while read -r old new ref; do
  protected=""
  for branch in $SANDBOX_PROTECTED_REFS; do
    if [ "$ref" = "$branch" ]; then protected=1; fi
  done
  if [ -n "$protected" ]; then
    echo "error: GH006: Protected branch update failed for $ref." >&2
    echo "error: Changes must be made through a pull request." >&2
    decline "$ref" "protected branch hook declined"
    continue
  fi
  if [ "$new" = "$zero" ] && [ "$ref" = "$SANDBOX_DEFAULT_REF" ]; then
    echo "error: refusing to delete the current branch: $ref" >&2
    decline "$ref" "refusing to delete the current branch: $ref"
    continue
  fi
  violations=""
  while read -r rule pattern; do
    if [ -z "$rule" ] || ! matches "$ref" "$pattern"; then continue; fi
    case "$rule" in
      creation)
        if [ "$old" = "$zero" ]; then violate "Cannot create ref due to creations being restricted."; fi ;;
      update)
        if [ "$old" != "$zero" ] && [ "$new" != "$zero" ]; then violate "Cannot update this protected ref."; fi ;;
      pull_request)
        if [ "$old" != "$zero" ] && [ "$new" != "$zero" ]; then violate "Changes must be made through a pull request."; fi ;;
      non_fast_forward)
        if [ "$old" != "$zero" ] && [ "$new" != "$zero" ] && ! git merge-base --is-ancestor "$old" "$new" </dev/null; then
          violate "Cannot force-push to this branch"
        fi ;;
      required_signatures)
        if [ "$new" != "$zero" ]; then
          unsigned=""
          count=0
          for commit in $(git rev-list "$new" --not --all </dev/null); do
            if ! git cat-file commit "$commit" </dev/null | sed '/^$/q' | grep -q '^gpgsig'; then
              unsigned="$unsigned
  $commit"
              count=$((count + 1))
            fi
          done
          if [ "$count" -eq 1 ]; then
            violate "Commits must have verified signatures.
  Found 1 violation:
$unsigned"
          elif [ "$count" -gt 1 ]; then
            violate "Commits must have verified signatures.
  Found $count violations:
$unsigned"
          fi
        fi ;;
    esac
  done <<RULES
$SANDBOX_RULES
RULES
  if [ -n "$violations" ]; then
    echo "error: GH013: Repository rule violations found for $ref." >&2
    echo "Review all repository rules at $SANDBOX_RULES_URL?ref=$(printf '%s' "$ref" | sed 's|/|%2F|g')" >&2
    echo "" >&2
    printf '%s' "$violations" >&2
    decline "$ref" "push declined due to repository rule violations"
    continue
  fi
  if [ -n "$SANDBOX_WORKFLOW_REFUSAL" ] && [ "$new" != "$zero" ]; then
    if [ "$old" = "$zero" ]; then
      workflow=$(git log --format= --name-only "$new" --not --all -- .github/workflows/ </dev/null | sed -n '/./{p;q;}')
    else
      workflow=$(git diff --name-only "$old" "$new" -- .github/workflows/ </dev/null | sed -n 1p)
    fi
    if [ -n "$workflow" ]; then
      decline "$ref" "$(printf "$SANDBOX_WORKFLOW_REFUSAL" "$workflow")"
      continue
    fi
  fi
  if [ -n "$SANDBOX_HOOK_PATTERN" ] && [ "$new" != "$zero" ] && matches "$ref" "$SANDBOX_HOOK_PATTERN"; then
    printf '%s\\n' "$SANDBOX_HOOK_MESSAGE" >&2
    status=1
  fi
done
exit $status
`;
  const postReceive = `#!/bin/sh
if [ -n "$SANDBOX_PUSH_LOG" ]; then cat >> "$SANDBOX_PUSH_LOG"; else cat > /dev/null; fi
`;
  for (const [name, script] of [
    ['pre-receive', preReceive],
    ['post-receive', postReceive],
  ] as const) {
    const file = join(hooksDir, name);
    writeFileSync(file, script);
    chmodSync(file, 0o755);
  }
}

/**
 * An extended regular expression (for the hook's `grep -E`) matching `refs/heads/<name>` for the
 * branch names a ruleset pattern targets: fnmatch with `*` within a path segment, `**` across.
 */
function branchPatternRegex(pattern: string, defaultBranch: string): string {
  if (pattern === '~ALL') return '^refs/heads/';
  const glob = pattern === '~DEFAULT_BRANCH' ? defaultBranch.replace(/[*?[\\]/g, '\\$&') : pattern;
  let regex = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? '';
    if (char === '*' && glob[i + 1] === '*') {
      regex += '.*';
      i++;
    } else if (char === '*') regex += '[^/]*';
    else if (char === '?') regex += '[^/]';
    else if (char === '\\' && i + 1 < glob.length) regex += escapeRegex(glob[++i] ?? '');
    else regex += escapeRegex(char);
  }
  return `^refs/heads/${regex}$`;
}

function escapeRegex(char: string): string {
  return /[.^$+(){}|[\]\\]/.test(char) ? `\\${char}` : char;
}

/** The environment a push's pre-receive hook reads: the repository's settings and the token's. */
export function pushPolicyEnv(
  context: SandboxContext,
  repository: Repository,
  token: Token,
): Record<string, string> {
  const rules = repository.rulesets.flatMap((ruleset) =>
    ruleset.rules.flatMap((rule) =>
      ruleset.branches.map(
        (branch) => `${rule} ${branchPatternRegex(branch, repository.defaultBranch)}`,
      ),
    ),
  );
  const hook = repository.preReceiveHook;
  const holder = token.holder === 'app' ? 'a GitHub App' : 'a Personal Access Token';
  const grant = token.holder === 'app' ? '`workflows` permission' : '`workflow` scope';
  return {
    SANDBOX_RULES: rules.join('\n'),
    SANDBOX_RULES_URL: `${context.urls.web}/${repository.fullName}/rules`,
    SANDBOX_WORKFLOW_REFUSAL: token.workflows
      ? ''
      : `refusing to allow ${holder} to create or update workflow \`%s\` without ${grant}`,
    SANDBOX_HOOK_PATTERN:
      hook === null
        ? ''
        : hook.branches
            .map((branch) => `(${branchPatternRegex(branch, repository.defaultBranch)})`)
            .join('|'),
    SANDBOX_HOOK_MESSAGE: hook?.message ?? '',
  };
}
