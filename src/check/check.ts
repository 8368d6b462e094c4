import type { CheckResponse } from '../contract.js';
import { UserError } from '../errors.js';
import type { CheckInput } from '../settings.js';
import type { StepContext } from '../step.js';

/** The check step. */
export async function check(input: CheckInput, context: StepContext): Promise<CheckResponse> {
  context.log.debug(
    { repository: `${input.source.owner}/${input.source.repo}` },
    'request accepted',
  );
  throw new UserError(
    'check is not available yet in this build of bosh-release-pr: the request is valid, but the step has not landed',
  );
}
