import { fileURLToPath } from 'node:url';

// The bench runs compiled (npm run bench builds it into .bench/ first: see compile.ts), or as
// TypeScript under tsx while it is being worked on; either way its files sit side by side.
const typescript = import.meta.url.endsWith('.ts');

/** The command that runs the bench's file `name` (no extension) in a node process of its own. */
export function benchScript(name: string, nodeFlags: readonly string[] = []): string[] {
  const file = fileURLToPath(new URL(`./${name}.${typescript ? 'ts' : 'js'}`, import.meta.url));
  return [process.execPath, ...nodeFlags, ...(typescript ? ['--import', 'tsx'] : []), file];
}
