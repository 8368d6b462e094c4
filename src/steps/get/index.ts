import { connect } from '../connect.js';
import { parseInRequest } from '../../concourse/settings.js';
import { runStep } from '../../concourse/run-step.js';
import { fetchIn } from './get.js';

// Concourse runs /opt/resource/in DEST with the request on stdin.
process.exitCode = await runStep({
  parse: parseInRequest,
  run: (input, context) => fetchIn(input, { ...connect(input.source, context), ...context }),
});
