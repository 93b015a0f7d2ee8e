import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { type CodeBlock, codeBlocks, docPages } from '../fixtures/markdown-code.js';

// Every TypeScript block a reader copies from the README or docs/ compiles against the kit as it
// is: the blocks are taken from the Markdown itself, so what is checked is what the page shows.
//
// A block is a module of its own, `snippet-<n>.ts` (or `.tsx`) in a folder of its page; one whose
// first line names a file (`// server.ts`) is that file, which the page's other blocks can import
// (`./server.js`). A fragment (code inside a procedure, a job) names its preambles on its fence,
// `in=<name>[,<name>]`: files docs/snippets/<name>.ts, checked by the project's type check too,
// whose text goes before the block's (their relative imports, such as the quick start's app in
// ./app.js, resolved from docs/snippets/). `skip="<why>"` leaves a block out, and must say why.

const root = fileURLToPath(new URL('../../', import.meta.url));
const snippetsDir = join(root, 'docs/snippets');

// Modules the snippets import whose types the project does not install (workerd's built-in one).
const ambient = [join(root, 'test/runtimes/launchers/cloudflare-workers.d.ts')];

// The first line of a block that is a file of its own: `// app/api/trpc/[trpc]/route.ts`.
const NAMED = /^\/\/ ([\w./[\]-]+\.tsx?)$/;

/** A block as the checker compiles it: the preamble's text, then the block's. */
interface CheckedBlock {
  readonly block: CodeBlock;
  readonly path: string;
  readonly text: string;
  /** How many lines the preamble adds before the block's first. */
  readonly offset: number;
}

const checked = new Map<string, CheckedBlock>();
const skipped: CodeBlock[] = [];
for (const page of docPages(root).map((path) => join(root, path))) {
  const folder = join(root, 'docs/.snippets', relative(root, page).replace(/\.md$/, ''));
  codeBlocks(page)
    .filter((block) => block.lang === 'ts' || block.lang === 'tsx')
    .forEach((block, index) => {
      if ('skip' in block.meta) {
        skipped.push(block);
        return;
      }
      const named = NAMED.exec(block.code.split('\n')[0] ?? '')?.[1];
      const path = join(folder, named ?? `snippet-${index + 1}.${block.lang}`);
      const preamble = (block.meta.in?.split(',') ?? [])
        .map((name) => readPreamble(name, block))
        .join('');
      if (checked.has(path)) throw new Error(`${where(block, 0)}: a second block is ${named}`);
      const text = preamble + block.code;
      checked.set(path, { block, path, text, offset: preamble.split('\n').length - 1 });
    });
}

function readPreamble(name: string, block: CodeBlock): string {
  const path = join(snippetsDir, `${name}.ts`);
  if (!existsSync(path)) {
    throw new Error(`${where(block, 0)}: no preamble docs/snippets/${name}.ts`);
  }
  // Its relative imports (the shared app, ./app.js) are resolved from docs/snippets/, not from
  // the block's folder.
  return readFileSync(path, 'utf8').replace(
    /(from ')(\.\.?\/[^']+)'/g,
    (_, from: string, specifier: string) => `${from}${join(snippetsDir, specifier)}'`,
  );
}

/** Where a line of a block is in its page, as an editor takes it: `README.md:42`. */
function where(block: CodeBlock, line: number): string {
  return `${relative(root, block.page)}:${block.line + line}`;
}

/** The compiler's complaints about each checked block, as `page:line: message`. */
function compile(): Map<string, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (config === undefined) throw new Error('tsconfig.json could not be read');
  // Imports as apps write them: Next.js apps leave out a relative import's extension, which
  // NodeNext refuses; Node apps' `./server.js` resolves to server.ts either way.
  const options = {
    ...config.options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const snippet = checked.get(fileName);
    return snippet
      ? ts.createSourceFile(fileName, snippet.text, languageVersion, true)
      : getSourceFile(fileName, languageVersion, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => checked.has(fileName) || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => checked.get(fileName)?.text ?? readFile(fileName);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (name) =>
    [...checked.keys()].some((path) => path.startsWith(`${name}/`)) ||
    (directoryExists?.(name) ?? true);

  const program = ts.createProgram([...checked.keys(), ...ambient], options, host);
  const complaints = new Map<string, string[]>();
  for (const { block, path, offset } of checked.values()) {
    const file = program.getSourceFile(path);
    if (file === undefined) throw new Error(`${where(block, 0)}: not compiled`);
    const diagnostics = [
      ...program.getSyntacticDiagnostics(file),
      ...program.getSemanticDiagnostics(file),
    ];
    const page = relative(root, block.page);
    for (const diagnostic of diagnostics) {
      const line = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line - offset;
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const at = line < 0 ? `${where(block, 0)} (in its preamble)` : where(block, line);
      complaints.set(page, [...(complaints.get(page) ?? []), `${at}: ${message}`]);
    }
  }
  return complaints;
}

describe('the code blocks of the README and docs/', () => {
  const complaints = compile();
  const checkedPages = [...new Set([...checked.values()].map(({ block }) => block.page))];

  it('finds the TypeScript blocks of the README and of the docs pages', () => {
    expect(checkedPages.map((page) => relative(root, page))).toContain('README.md');
    expect(checked.size).toBeGreaterThan(20);
  });

  it.each(checkedPages.map((page) => relative(root, page)))(
    'every TypeScript block of %s compiles',
    (page) => {
      expect(complaints.get(page) ?? []).toEqual([]);
    },
  );

  it('leaves a block out only when it says why', () => {
    for (const block of skipped) expect(block.meta.skip?.trim(), where(block, 0)).toBeTruthy();
  });
});
