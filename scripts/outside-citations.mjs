// Lint: no comment or test name cites a document a newcomer does not have — the design notes,
// style guide and issue tracker the project was built with. The why belongs in docs/ or the
// README, and a citation points there (docs/README.md maps each old citation to its page).
//   node scripts/outside-citations.mjs   # lists each citation with its place; exit 1 if any
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

// Everything but the Markdown: docs/README.md maps the old citations, on purpose.
const ROOTS = [
  ...['src', 'sandbox', 'scripts', 'test', 'bench', '.ci', 'bin', 'examples'],
  ...['Dockerfile', 'eslint.config.js', 'jest.config.js'],
];
const SKIP = new Set(['node_modules', 'dist', 'fixtures']);
const EXTENSIONS = new Set(['.ts', '.mjs', '.js', '.sh', '.yml', '']);
const SELF = 'scripts/outside-citations.mjs';

const CITATIONS = [
  [/\bDESIGN(\.md)?\b/, 'the design notes: cite docs/ (lock.md, versions.md, get.md, …)'],
  [/§\s*\d/, 'a section number of the design notes: cite the docs/ page'],
  [/\bTOOLING(\.md)?\b/, 'the toolchain notes: cite docs/testing.md or the README'],
  [/\bBOSH\.md\b/, 'the BOSH notes: cite docs/bosh-metadata.md'],
  [/\bSTYLE(\.md)?\b/, 'the style guide: cite docs/architecture.md'],
  [/\bissues? #?\d+\b/i, 'an issue of the project: cite the docs/ page that holds its design'],
  [/\.\.\/shared\b|\/work\/shared\b/, 'a folder outside the repository'],
];

function* files(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return;
  if (stat.isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (!SKIP.has(name)) yield* files(join(path, name));
    }
  } else if (EXTENSIONS.has(extname(path)) && path !== SELF) {
    yield path;
  }
}

let found = 0;
for (const root of ROOTS) {
  for (const file of files(root)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        for (const [pattern, hint] of CITATIONS) {
          const match = pattern.exec(line);
          if (match === null) continue;
          console.error(`${file}:${index + 1}: "${match[0]}" cites ${hint}`);
          found++;
        }
      });
  }
}
if (found > 0) {
  console.error(`${found} citation(s) of documents outside the repository`);
  process.exit(1);
}
