import type { InOutResponse } from '../contract.js';
import { UserError } from '../errors.js';
import type { InInput } from '../settings.js';
import type { StepContext } from '../step.js';

/** The in step. */
export async function fetchIn(input: InInput, context: StepContext): Promise<InOutResponse> {
  context.log.debug(
    { repository: `${input.source.owner}/${input.source.repo}` },
    'request accepted',
  );
  throw new UserError(
    'in is not available yet in this build of bosh-release-pr: the request is valid, but the step has not landed',
  );
}
