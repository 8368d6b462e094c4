// Bundles each Concourse step into one self-contained ESM file (dist/check.mjs, in.mjs, out.mjs)
// that runs with no node_modules, plus the development tools (sandbox, demo) under dist/tools.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

// pino and simple-git's dependencies call require(): give the ESM bundle one.
const banner = {
  js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner,
  outExtension: { '.js': '.mjs' },
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: { check: 'src/check/index.ts', in: 'src/in/index.ts', out: 'src/out/index.ts' },
  outdir: 'dist',
});

const tools = Object.fromEntries(
  [
    ['sandbox', 'scripts/sandbox.ts'],
    ['demo', 'scripts/demo.ts'],
    ['bench', 'bench/index.ts'],
  ].filter(([, file]) => existsSync(file)),
);
if (Object.keys(tools).length > 0) {
  await build({ ...common, entryPoints: tools, outdir: 'dist/tools', sourcemap: 'inline' });
}
