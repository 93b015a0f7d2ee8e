import { readFile, writeFile } from 'node:fs/promises';
import { EXAMPLE_DIR } from './next-app.js';

/** A module of the example both the route handler and the pages import: editing it recompiles them all. */
export const EDITED_SOURCE = `${EXAMPLE_DIR}/server/trpc.ts`;

/** What the edit appends: a comment, recognisable so that a later run can take it out. */
const EDIT = '\n// edited by test/next/dev.test.ts to make next dev recompile; removed after it\n';

/**
 * Edits the example's EDITED_SOURCE (a tracked file) so that `next dev` recompiles it, and resolves
 * with the function that takes the edit out. A run killed before that leaves the edit in place:
 * `undoSourceEdit` (the Next.js tests' global setup calls it) takes it out then.
 */
export async function editSource(): Promise<() => Promise<void>> {
  await undoSourceEdit();
  const source = await readFile(EDITED_SOURCE, 'utf8');
  await writeFile(EDITED_SOURCE, source + EDIT);
  return undoSourceEdit;
}

/** Takes out of EDITED_SOURCE the edit `editSource` made, if it is there. */
export async function undoSourceEdit(): Promise<void> {
  const source = await readFile(EDITED_SOURCE, 'utf8');
  if (source.endsWith(EDIT)) await writeFile(EDITED_SOURCE, source.slice(0, -EDIT.length));
}
