// Bundles each Concourse step into one self-contained ESM file (dist/check.mjs, in.mjs, out.mjs)
// that runs with no node_modules, plus the development tools (sandbox, demo, bench, image-steps)
// under dist/tools.
//   node scripts/build.mjs [--outdir DIR --runtime-ajv]   # the steps only, into DIR; the bench
//                                                         # measures the runtime-Ajv variant
import { build } from 'esbuild';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

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

const SETTINGS = resolve('src/settings.ts');
const { values: options } = parseArgs({
  options: { outdir: { type: 'string' }, 'runtime-ajv': { type: 'boolean', default: false } },
});

await build({
  ...common,
  entryPoints: { check: 'src/check/index.ts', in: 'src/in/index.ts', out: 'src/out/index.ts' },
  outdir: options.outdir ?? 'dist',
  plugins: options['runtime-ajv'] ? [] : [precompiledAjv(await validatorModules())],
});

const tools = Object.fromEntries(
  [
    ['sandbox', 'scripts/sandbox.ts'],
    ['demo', 'scripts/demo.ts'],
    ['bench', 'bench/index.ts'],
    ['image-steps', 'scripts/image/steps.ts'],
  ].filter(([, file]) => existsSync(file)),
);
if (options.outdir === undefined && Object.keys(tools).length > 0) {
  await build({ ...common, entryPoints: tools, outdir: 'dist/tools', sourcemap: 'inline' });
}

// Compiling the schemas of src/settings.ts with `new Ajv().compile()` at start-up cost every step
// ~60 ms of its cold start (BENCHMARKS.md). So the step bundles get Ajv's standalone code instead,
// generated here: the same Ajv, options and schemas, hence the same checks and error objects.
// settings.ts itself is unchanged (tests run it with the real Ajv). Its `ajv` import resolves to a
// stand-in whose compile() returns the generated validator of exactly that schema, or throws.

/** What src/settings.ts compiles: each Ajv instance's options and schemas, in call order. */
async function recordCompiles() {
  const recorder = `
    export class Ajv {
      constructor(options) { (globalThis.__ajvRecords ??= []).push((this.record = { options, schemas: [] })); }
      compile(schema) { this.record.schemas.push(schema); return () => true; }
    }`;
  const dir = mkdtempSync(join(tmpdir(), 'brp-ajv-'));
  try {
    const outfile = join(dir, 'settings.mjs');
    await build({
      ...common,
      entryPoints: [SETTINGS],
      outfile,
      plugins: [replaceAjv({ contents: recorder, resolveDir: process.cwd() })],
    });
    globalThis.__ajvRecords = [];
    await import(pathToFileURL(outfile).href);
    return globalThis.__ajvRecords;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One standalone ESM module per compiled schema, keyed by its Ajv options and schema. */
async function validatorModules() {
  const modules = [];
  for (const { options, schemas } of await recordCompiles()) {
    const ajv = new Ajv({ ...options, code: { source: true, esm: true } });
    for (const schema of schemas) {
      modules.push({
        key: `${JSON.stringify(options)}\0${JSON.stringify(schema)}`,
        code: standalone.default(ajv, ajv.compile(schema)),
      });
    }
  }
  return modules;
}

function precompiledAjv(modules) {
  const stand = `
    ${modules.map((_, i) => `import v${i} from 'brp-validator:${i}';`).join('\n')}
    const validators = new Map([${modules.map((m, i) => `[${JSON.stringify(m.key)}, v${i}]`).join(', ')}]);
    export class Ajv {
      constructor(options) { this.options = JSON.stringify(options); }
      compile(schema) {
        const validate = validators.get(this.options + '\\0' + JSON.stringify(schema));
        if (validate === undefined) throw new Error('this Ajv schema was not compiled by scripts/build.mjs: rebuild');
        return validate;
      }
    }`;
  const replaced = replaceAjv({ contents: stand, resolveDir: process.cwd() });
  return {
    name: 'precompiled-ajv',
    setup(pluginBuild) {
      replaced.setup(pluginBuild);
      pluginBuild.onResolve({ filter: /^brp-validator:\d+$/ }, (args) => ({
        path: args.path,
        namespace: 'brp-validator',
      }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'brp-validator' }, (args) => ({
        contents: modules[Number(args.path.split(':')[1])].code,
        loader: 'js',
        resolveDir: process.cwd(), // the generated code requires ajv/dist/runtime/* helpers
      }));
    },
  };
}

/** Resolves `ajv` imported by src/settings.ts to `contents`. */
function replaceAjv({ contents, resolveDir }) {
  return {
    name: 'replace-ajv',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^ajv$/ }, (args) =>
        args.importer === SETTINGS ? { path: 'ajv', namespace: 'settings-ajv' } : undefined,
      );
      pluginBuild.onLoad({ filter: /.*/, namespace: 'settings-ajv' }, () => ({
        contents,
        loader: 'js',
        resolveDir,
      }));
    },
  };
}
