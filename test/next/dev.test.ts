import { expect, it } from 'vitest';
import {
  describeInBrowser,
  messageWaiting,
  toast,
  useExampleInBrowser,
} from './example-fixture.js';
import { editSource } from './source-edit.js';

describeInBrowser('the Next.js example under next dev', () => {
  // Its own build folder: the production build of the other tests stays as it is.
  const example = useExampleInBrowser('dev', { NEXT_DIST_DIR: '.next-dev' });

  it("keeps a mutation's message across a recompile, for the page router.push() opens", async () => {
    const page = await example.openPage();
    const seen: string[] = [];
    page.on('request', (r) => seen.push(`${r.method()} ${r.url()}`));
    page.on('console', (m) => seen.push(`console ${m.text()}`));
    await messageWaiting(page, 'Before the recompile');
    const recompiled = example.next().waitForLog(/Compiled/);
    const undoEdit = await editSource();
    try {
      await recompiled;
      await page.getByRole('button', { name: 'Go to the list' }).click();
      await page.getByRole('heading', { name: 'Task list' }).waitFor({ timeout: 45_000 });
      await expect.poll(() => toast(page, 'Task "Before the recompile" created.').count()).toBe(1);
    } catch (error) {
      throw new Error(`${String(error)}\n${seen.join('\n')}\n${example.next().output()}`);
    } finally {
      await undoEdit();
    }
  });
});
