import { expect, it } from 'vitest';
import { t } from '../../demo/catalog.js';
import { messagesFr } from '../../demo/src/locales/fr.js';
import { decodeInline, INLINE_HEADER } from '../../shared/delivery.js';
import { formatText, messageListSchema } from '../../shared/index.js';
import {
  addTask,
  describeInBrowser,
  holdToasts,
  nextAnswer,
  toastsWith,
  useDemoInBrowser,
} from './demo-fixture.js';

/** A French message of the demo as the page renders it. */
const inFrench = (key: keyof typeof messagesFr, params: Record<string, string | number>) =>
  formatText(messagesFr[key], params);

describeInBrowser('the demo’s languages, in Chromium', () => {
  const demo = useDemoInBrowser();

  it('renders a message given by key in English or in French, as the language switch says', async () => {
    const page = await demo.openPage();
    await addTask(page, 'Buy bread');
    const english = toastsWith(page, 'Task "Buy bread" created.');
    await english.waitFor();
    // The toasts held on screen while the language changes twice, from the keyboard, which
    // leaves the pointer where it is.
    await holdToasts(page);

    await page.getByRole('radio', { name: 'Français' }).press('Space');
    await page.getByRole('heading', { name: 'Tâches', level: 1 }).waitFor();
    // The toast on screen follows the switch.
    await toastsWith(page, inFrench('task.created', { title: 'Buy bread' })).waitFor();

    const answered = nextAnswer(page, 'create');
    const field = page.getByLabel('Nouvelle tâche');
    await field.fill('Acheter du pain');
    await field.press('Enter');
    const response = await answered;
    await toastsWith(page, inFrench('task.created', { title: 'Acheter du pain' })).waitFor();
    // The server sent the key, its parameters, and its own text in English, for a page that
    // cannot render the key.
    const inline = decodeInline(await response.headerValue(INLINE_HEADER));
    const [sent] = messageListSchema.parse(inline?.messages ?? []);
    expect(sent?.translation).toEqual(t('task.created', { title: 'Acheter du pain' }));
    expect(sent?.message).toBe('Task "Acheter du pain" created.');

    await page.getByRole('radio', { name: 'English' }).press('Space');
    await toastsWith(page, 'Task "Acheter du pain" created.').waitFor();
  });

  it('keeps the chosen language, page and messages, across a reload', async () => {
    const page = await demo.openPage();
    await page.getByRole('radio', { name: 'Français' }).check();
    const consumed = nextAnswer(page, 'messages.consume');
    await page.reload({ waitUntil: 'load' });
    await consumed;

    await page.getByRole('heading', { name: 'Tâches', level: 1 }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await toastsWith(page, messagesFr['task.titleMissing']).waitFor();
  });

  it("renders a deleted task's Undo, a label given by key, in French", async () => {
    const page = await demo.openPage();
    await addTask(page, 'Lire le journal');
    await page.getByRole('radio', { name: 'Français' }).check();
    await page.getByRole('button', { name: 'Supprimer Lire le journal' }).click();
    const deleted = toastsWith(page, inFrench('task.deleted', { title: 'Lire le journal' }));
    await deleted.getByRole('button', { name: messagesFr['task.undo'] }).click();
    await toastsWith(page, inFrench('task.restored', { title: 'Lire le journal' })).waitFor();
  });
});
