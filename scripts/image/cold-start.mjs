// Cold start inside the resource image (scripts/image.sh bench runs it there with the image's own
// Node): each /opt/resource/<step> as Concourse starts it, against `node -e 0`. Same request and
// statistics as bench/cold-start.ts: a request every step refuses at validation (module loading,
// validation and the error path, no network), medians of rounds run back to back in rotating
// order, and the median of per-round differences to `node -e 0`. Prints a Markdown table.
import { spawnSync } from 'node:child_process';

const ROUNDS = Number(process.env.ROUNDS ?? 21);
const REQUEST = JSON.stringify({ source: { repository: 'acme/r', acces_token: 'x' } });
const EXPECTED = 'error: source.acces_token: unknown field, did you mean access_token?';

const subjects = [
  { name: '`node -e 0`', file: 'node', args: ['-e', '0'] },
  { name: '`/opt/resource/check`', file: '/opt/resource/check', args: [] },
  { name: '`/opt/resource/in`', file: '/opt/resource/in', args: ['/tmp/dest'] },
  { name: '`/opt/resource/out`', file: '/opt/resource/out', args: ['/tmp/build/put'] },
  // The same without the compile cache the Dockerfile fills: what the cache is worth here.
  {
    name: '`/opt/resource/check`, compile cache off',
    file: '/opt/resource/check',
    args: [],
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' },
  },
];

function once({ file, args, env }) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { input: REQUEST, encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (file !== 'node' && (result.status !== 1 || !result.stderr.trimEnd().endsWith(EXPECTED))) {
    throw new Error(`${file}: exit ${result.status}: ${result.stderr}`);
  }
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

for (const subject of subjects) once(subject); // warm the page cache, as a reused container is
const times = subjects.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < subjects.length; k++) {
    const i = (round + k) % subjects.length;
    times[i].push(once(subjects[i]));
  }
}

console.log(`Node ${process.version}, ${ROUNDS} rounds\n`);
console.log('| entrypoint | wall time | over `node -e 0` |\n| --- | --- | --- |');
subjects.forEach((subject, i) => {
  const over = i === 0 ? '' : `+${median(times[i].map((t, r) => t - times[0][r])).toFixed(0)} ms`;
  console.log(`| ${subject.name} | ${median(times[i]).toFixed(0)} ms | ${over} |`);
});
