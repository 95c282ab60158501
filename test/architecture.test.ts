/**
 * The shape the code keeps, read from the TypeScript syntax tree of src/ (and migrations/): where
 * SQL may be written, which layer may import which, no import cycles, one place that builds a
 * Web API client, and short listeners and outbox functions. A failure names the file and line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

interface Import {
  from: string;
  /** The module as written ('kysely', '../db/deals.ts'). */
  spec: string;
  /** The file it names, for a relative import. */
  file: string | null;
  typeOnly: boolean;
  line: number;
}

interface SourceFile {
  path: string;
  node: ts.SourceFile;
  imports: Import[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function lineOf(file: ts.SourceFile, node: ts.Node): number {
  return file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
}

function read(path: string): SourceFile {
  const node = ts.createSourceFile(
    path,
    readFileSync(join(ROOT, path), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const imports: Import[] = [];
  for (const statement of node.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue;
    if (!statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const spec = statement.moduleSpecifier.text;
    const typeOnly = ts.isImportDeclaration(statement)
      ? statement.importClause?.isTypeOnly === true
      : statement.isTypeOnly;
    const file = spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(path), spec)) : null;
    imports.push({ from: path, spec, file, typeOnly, line: lineOf(node, statement) });
  }
  return { path, node, imports };
}

const SRC = filesUnder('src').map(read);
const MIGRATIONS = filesUnder('migrations').map(read);

/** Every node of a file, depth first. */
function* nodes(file: SourceFile): Generator<ts.Node> {
  const stack: ts.Node[] = [file.node];
  while (stack.length > 0) {
    const node = stack.pop() as ts.Node;
    yield node;
    stack.push(...node.getChildren(file.node));
  }
}

const where = (file: SourceFile, node: ts.Node) => `${file.path}:${lineOf(file.node, node)}`;
const inDb = (path: string) => path.startsWith('src/db/');
const QUERY_METHODS = new Set([
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'mergeInto',
  'replaceInto',
]);

/** Function-like nodes with a body, and how many lines each spans. */
function functionsOf(file: SourceFile): Array<{ at: string; lines: number }> {
  return [...nodes(file)].flatMap((node) => {
    if (!(ts.isFunctionLike(node) && 'body' in node && node.body)) return [];
    const start = lineOf(file.node, node);
    const end = file.node.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
    return [{ at: where(file, node), lines: end - start + 1 }];
  });
}

describe('SQL lives in src/db', () => {
  it('writes no Kysely statement, sql template or kysely import anywhere else in src/', () => {
    const found = SRC.filter((f) => !inDb(f.path)).flatMap((file) => [
      ...file.imports
        .filter((i) => /^kysely(\/|$)/.test(i.spec))
        .map((i) => `${i.from}:${i.line} imports ${i.spec}`),
      ...[...nodes(file)].flatMap((node) => {
        if (
          ts.isCallExpression(node) &&
          ts.isPropertyAccessExpression(node.expression) &&
          QUERY_METHODS.has(node.expression.name.text)
        )
          return [`${where(file, node)} calls ${node.expression.name.text}`];
        if (ts.isTaggedTemplateExpression(node) && /^sql\b/.test(node.tag.getText(file.node)))
          return [`${where(file, node)} writes a sql template`];
        return [];
      }),
    ]);
    expect(found).toEqual([]);
  });

  it('streams COPY, the one query path beside Kysely, from src/db/copy.ts only', () => {
    const found = SRC.flatMap((f) => f.imports)
      .filter((i) => i.spec === 'pg-copy-streams' && i.from !== 'src/db/copy.ts')
      .map((i) => `${i.from}:${i.line} imports ${i.spec}`);
    expect(found).toEqual([]);
  });

  it('keeps migrations frozen: they import nothing from src/', () => {
    const found = MIGRATIONS.flatMap((f) => f.imports.filter((i) => i.file?.startsWith('src/')));
    expect(found.map((i) => `${i.from}:${i.line} imports ${i.spec}`)).toEqual([]);
  });
});

describe('layers', () => {
  const importsOf = (prefix: string) =>
    SRC.filter((f) => f.path.startsWith(prefix)).flatMap((f) => f.imports);
  const listed = (imports: Import[]) => imports.map((i) => `${i.from}:${i.line} imports ${i.spec}`);

  it('listeners import flows, views, domain and src/slack, never data access, the outbox, jobs or each other', () => {
    const listeners = (path: string) =>
      /^src\/handlers\/(actions|commands|events|options|views)\/(?!index\.ts)/.test(path);
    const found = importsOf('src/handlers/').filter(
      (i) =>
        listeners(i.from) &&
        (/^src\/(db|outbox|jobs)\//.test(i.file ?? '') || (i.file !== null && listeners(i.file))),
    );
    expect(listed(found)).toEqual([]);
  });

  it('views are pure: they import the domain, other views and data-access types only', () => {
    const found = importsOf('src/views/').filter(
      (i) =>
        /^src\/(flows|handlers|outbox|jobs|http|slack)\//.test(i.file ?? '') ||
        (i.file?.startsWith('src/db/') && !i.typeOnly),
    );
    expect(listed(found)).toEqual([]);
  });

  it('the domain imports nothing but itself (and the type of the settings)', () => {
    const found = importsOf('src/domain/').filter(
      (i) =>
        i.file !== null && !i.file.startsWith('src/domain/') && !(i.file === 'src/config.ts' && i.typeOnly),
    );
    expect(listed(found)).toEqual([]);
  });

  it('imports no package’s internal files', () => {
    const found = SRC.flatMap((f) => f.imports).filter((i) =>
      /^(@[^/]+\/)?[^./][^/]*\/(dist|lib|src)\//.test(i.spec),
    );
    expect(listed(found)).toEqual([]);
  });

  it('has no import cycle', () => {
    const graph = new Map(SRC.map((f) => [f.path, f.imports.flatMap((i) => (i.file ? [i.file] : []))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (path: string, trail: string[]) => {
      if (state.get(path) === 'done') return;
      if (state.get(path) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(path)), path].join(' → '));
        return;
      }
      state.set(path, 'open');
      for (const next of graph.get(path) ?? []) if (graph.has(next)) visit(next, [...trail, path]);
      state.set(path, 'done');
    };
    for (const path of graph.keys()) visit(path, []);
    expect(cycles).toEqual([]);
  });
});

describe('one home for each thing', () => {
  it('builds a Web API client in src/slack/client.ts only', () => {
    const built = SRC.flatMap((file) =>
      [...nodes(file)].flatMap((node) =>
        ts.isNewExpression(node) && /WebClient$/.test(node.expression.getText(file.node)) ? [file.path] : [],
      ),
    );
    expect(built).toEqual(['src/slack/client.ts']);
  });

  it('has a repository test in test/db/ for every data-access module', () => {
    const modules = SRC.filter((f) => inDb(f.path) && f.path !== 'src/db/schema.ts').map((f) => f.path);
    const tested = new Set(
      filesUnder('test/db').map((p) => p.replace(/^test\/db\/(.*)\.test\.ts$/, 'src/db/$1.ts')),
    );
    expect(modules.filter((m) => !tested.has(m))).toEqual([]);
  });

  it('keeps every listener within 40 lines', () => {
    const long = SRC.filter((f) => f.path.startsWith('src/handlers/'))
      .flatMap(functionsOf)
      .filter((fn) => fn.lines > 40);
    expect(long).toEqual([]);
  });

  it('keeps every function of the outbox within 80 lines', () => {
    const long = SRC.filter((f) => f.path.startsWith('src/outbox/'))
      .flatMap(functionsOf)
      .filter((fn) => fn.lines > 80);
    expect(long).toEqual([]);
  });
});
