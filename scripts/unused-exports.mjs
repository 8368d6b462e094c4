// Lint: every export of a module under src/ is imported by another file of the project (a step,
// a test, a script, the benchmarks). An export nothing imports is dead surface, or a name that
// should not be exported: the script lists each with its place and exits 1.
//   node scripts/unused-exports.mjs [DIR]   # default src/
// TypeScript's own resolver reads the imports (tsconfig.json's files), so re-exports through an
// index.ts count as imports of the original, and an index.ts export is checked on its own.
import { relative, resolve } from 'node:path';
import ts from 'typescript';

const root = process.cwd();
const scope = `${resolve(process.argv[2] ?? 'src')}/`;
const config = ts.getParsedCommandLineOfConfigFile(
  resolve('tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  },
);
const program = ts.createProgram(config.fileNames, config.options);
const checker = program.getTypeChecker();
const files = program
  .getSourceFiles()
  .filter(
    (file) => file.fileName.startsWith(`${root}/`) && !file.fileName.includes('/node_modules/'),
  );

/** `${file}\0${name}` → the files that import that name from that file ('*': every name). */
const importers = new Map();
function mark(target, name, importer) {
  const key = `${target}\0${name}`;
  if (!importers.has(key)) importers.set(key, new Set());
  importers.get(key).add(importer);
}

function resolveModule(file, specifier) {
  const resolved = ts.resolveModuleName(specifier, file.fileName, config.options, ts.sys);
  const module = resolved.resolvedModule;
  return module && !module.isExternalLibraryImport ? module.resolvedFileName : undefined;
}

for (const file of files) {
  const visit = (node) => {
    const isImport = ts.isImportDeclaration(node);
    if ((isImport || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) {
      const target = resolveModule(file, node.moduleSpecifier.text);
      if (target !== undefined) {
        const bindings = isImport ? node.importClause?.namedBindings : node.exportClause;
        if (isImport && node.importClause?.name) mark(target, 'default', file.fileName);
        if (bindings === undefined && !isImport) mark(target, '*', file.fileName);
        else if (bindings && (ts.isNamespaceImport(bindings) || ts.isNamespaceExport(bindings))) {
          mark(target, '*', file.fileName);
        } else if (bindings) {
          for (const element of bindings.elements) {
            mark(target, (element.propertyName ?? element.name).text, file.fileName);
          }
        }
      }
    }
    // import('…') and typeof import('…'): every name.
    const dynamic =
      (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
        ? node.arguments[0]
        : undefined) ??
      (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)
        ? node.argument.literal
        : undefined);
    if (dynamic !== undefined && ts.isStringLiteral(dynamic)) {
      const target = resolveModule(file, dynamic.text);
      if (target !== undefined) mark(target, '*', file.fileName);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}

const unused = [];
for (const file of files.filter((f) => f.fileName.startsWith(scope))) {
  const module = checker.getSymbolAtLocation(file);
  if (module === undefined) continue;
  for (const symbol of checker.getExportsOfModule(module)) {
    const name = symbol.getName();
    const users = new Set([
      ...(importers.get(`${file.fileName}\0${name}`) ?? []),
      ...(importers.get(`${file.fileName}\0*`) ?? []),
    ]);
    users.delete(file.fileName);
    if (users.size > 0) continue;
    const declaration = symbol.declarations?.[0];
    const line = declaration
      ? file.getLineAndCharacterOfPosition(declaration.getStart()).line + 1
      : 1;
    unused.push(`${relative(root, file.fileName)}:${line}  ${name}`);
  }
}

if (unused.length > 0) {
  console.error(
    `${unused.length} export(s) under ${relative(root, scope)}/ that no other file imports: delete them, or stop exporting them\n${unused.join('\n')}`,
  );
  process.exit(1);
}
