import { connect } from '../connect.js';
import { parseCheckRequest } from '../settings.js';
import { runStep } from '../step.js';
import { check } from './check.js';

// Concourse runs /opt/resource/check with the request on stdin.
process.exitCode = await runStep({
  parse: parseCheckRequest,
  run: (input, context) =>
    check(input, {
      ...connect(input.source, context, { keepAppToken: true }),
      log: context.log,
    }),
});
