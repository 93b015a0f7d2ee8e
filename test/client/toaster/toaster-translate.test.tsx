import '../../fixtures/dom.js';
import { act, cleanup } from '@testing-library/react';
import { toast } from 'sonner';
import { afterEach, describe, expect, it } from 'vitest';
import { defineTranslations, translator } from '../../../shared/catalog.js';
import { catalog, startToastAppForFile } from '../../fixtures/toast-app.js';
import { renderToaster, toastElements, toastWith } from '../../fixtures/toaster-page.js';

const server = startToastAppForFile();
afterEach(() => {
  cleanup();
  toast.dismiss();
});

const french = defineTranslations(catalog, {
  'task.saved': 'Tâche « {title} » enregistrée.',
  'task.undo': 'Annuler',
});
const german = defineTranslations(catalog, {
  'task.saved': 'Aufgabe „{title}“ gespeichert.',
  'task.undo': 'Rückgängig',
});

describe('translate on the Toaster', () => {
  it('renders a message given by key in the reader’s language', async () => {
    const { client } = server().browser();
    renderToaster(client, { translate: translator(french) });
    await act(() => client.save.mutate({ title: 'Rapport' }));

    await toastWith('Tâche « Rapport » enregistrée.');
  });

  it('renders an action’s label given by key in the reader’s language, the catalog’s text without translate', async () => {
    const { client } = server().browser();
    renderToaster(client, { translate: translator(french) });
    await act(() => client.remove.mutate({ id: 1, labelByKey: true }));
    const deleted = await toastWith('Task 1 deleted.');
    expect(deleted.querySelector('[data-button]')?.textContent).toBe('Annuler');
    cleanup();
    toast.dismiss();

    renderToaster(client);
    await act(() => client.remove.mutate({ id: 2, labelByKey: true }));
    const plain = await toastWith('Task 2 deleted.');
    expect(plain.querySelector('[data-button]')?.textContent).toBe('Undo');
  });

  it('shows the server’s text when translate gives nothing for the key', async () => {
    const { client } = server().browser();
    renderToaster(client, { translate: translator({}) });
    await act(() => client.save.mutate({ title: 'Report' }));

    await toastWith('Task "Report" saved.');
  });

  it('shows the server’s text, untouched, for a message given as text', async () => {
    const { client } = server().browser();
    renderToaster(client, { translate: () => 'never this' });
    await act(() => client.repeat.mutate({ text: 'Plain text.', times: 1 }));

    await toastWith('Plain text.');
  });

  it('renders the toasts on screen again in the new language when translate changes', async () => {
    const { client } = server().browser();
    const page = renderToaster(client, { translate: translator(french) });
    await act(() => client.save.mutate({ title: 'Rapport' }));
    const saved = await toastWith('Tâche « Rapport » enregistrée.');

    page.rerender({ translate: translator(german) });

    expect(await toastWith('Aufgabe „Rapport“ gespeichert.')).toBe(saved);
    expect(toastElements()).toEqual([saved]);
  });

  it('hands render the message and the text it would show', async () => {
    const { client } = server().browser();
    renderToaster(client, {
      translate: translator(french),
      render: (message, text) => (
        <>
          {text} [{message.translation?.key}]
        </>
      ),
    });
    await act(() => client.save.mutate({ title: 'Rapport' }));

    await toastWith('Tâche « Rapport » enregistrée. [task.saved]');
  });
});
