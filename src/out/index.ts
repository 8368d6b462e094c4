import { connect } from '../connect.js';
import { parseOutRequest } from '../settings.js';
import { runStep } from '../step.js';
import { putOut } from './out.js';

// Concourse runs /opt/resource/out SRC with the request on stdin.
process.exitCode = await runStep({
  parse: parseOutRequest,
  run: (input, context) => putOut(input, { ...connect(input.source, context), ...context }),
});
