import { initTRPC } from '@trpc/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Storage } from '../../../server/storage/backend.js';
import { cookieStorage } from '../../../server/storage/cookie-storage.js';
import { MemoryStore } from '../../../server/storage/memory-store.js';
import type { Messages } from '../../../server/storage/messages.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { createActionMaker } from '../../../server/trpc/actions.js';
import { defineCatalog } from '../../../shared/catalog.js';
import { Browser } from '../../fixtures/request.js';

// What a message can carry beyond its text, through every storage: a catalog key and its
// parameters, an update key, an action.

const secret = 'message-text-test-secret-of-32-chars';

const t = defineCatalog({
  'task.saved': 'Task "{title}" saved.',
  'export.progress': 'Export {percent}%…',
  'all.done': 'All done.',
});

const storages = {
  cookie: () => cookieStorage({ secret }),
  server: () => serverStorage({ secret, store: new MemoryStore() }),
};

function browser(storage: Storage) {
  const client = new Browser(storage, { catalog: t });
  return <T>(work: (messages: Messages) => T | Promise<T>) => client.request(work);
}

const trpc = initTRPC.create();
const router = trpc.router({
  tasks: trpc.router({
    restore: trpc.procedure.input(z.object({ id: z.number() })).mutation(() => undefined),
  }),
});
const action = createActionMaker<typeof router>();

describe.each(Object.entries(storages))('over %s storage, a message', (_name, makeStorage) => {
  it("given by key reaches the reader with its key, parameters and the catalog's text", async () => {
    const request = browser(makeStorage());
    await request((m) => m.success(t('task.saved', { title: 'Write docs' })));
    const [read] = (await request((m) => m.consume())).result;
    expect(read).toMatchObject({
      message: 'Task "Write docs" saved.',
      translation: { key: 'task.saved', params: { title: 'Write docs' } },
    });
  });

  it('keeps its update key and its action', async () => {
    const request = browser(makeStorage());
    const undo = action({ label: 'Undo', path: 'tasks.restore', input: { id: 3 } });
    await request((m) => m.info(t('export.progress', { percent: 40 }), { key: 'export' }));
    await request((m) => m.warning('Task deleted.', { action: undo }));
    const read = (await request((m) => m.consume())).result;
    expect(read.map(({ key, action: offered }) => ({ key, offered }))).toEqual([
      { key: 'export', offered: undefined },
      { key: undefined, offered: undo },
    ]);
  });
});

describe('a message given by key', () => {
  it('keeps the cookie small: the key and parameters are stored, not the text', async () => {
    const long = defineCatalog({ 'long.text': `${'A long sentence. '.repeat(20)}{n}` });
    const client = new Browser(cookieStorage({ secret }), { catalog: long });
    const byKey = (await client.request((m) => m.info(long('long.text', { n: 1 })))).setCookies;
    const plain = new Browser(cookieStorage({ secret }));
    const byText = (await plain.request((m) => m.info(`${'A long sentence. '.repeat(20)}1`)))
      .setCookies;
    expect(byKey[0]).not.toContain('A long sentence');
    expect(byKey[0]?.length).toBeLessThan((byText[0]?.length ?? 0) - 250);
  });

  it('is refused, with a TypeError, when the app gave createMessages no catalog', async () => {
    const client = new Browser(cookieStorage({ secret }));
    await expect(client.request((m) => m.info(t('all.done')))).rejects.toThrow(
      /createMessages was given no catalog/,
    );
  });

  it('is refused when its key is not in the catalog or a parameter is missing', async () => {
    const request = browser(cookieStorage({ secret }));
    await expect(request((m) => m.info({ key: 'nope', params: {} }))).rejects.toThrow(
      /the catalog has no message "nope"/,
    );
    await expect(request((m) => m.info({ key: 'task.saved', params: {} }))).rejects.toThrow(
      /needs the parameter \{title\}/,
    );
    await expect(
      request((m) => m.info({ key: 'task.saved', params: { title: true as never } })),
    ).rejects.toThrow(TypeError);
  });

  it('counts its key and parameters against the size limit', async () => {
    const client = new Browser(cookieStorage({ secret }), { catalog: t, maxMessageBytes: 64 });
    await expect(
      client.request((m) => m.info(t('task.saved', { title: 'é'.repeat(40) }))),
    ).rejects.toThrow(RangeError);
  });

  it('round-trips any parameters through the cookie', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.integer(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
        ),
        async (title) => {
          const request = browser(cookieStorage({ secret }));
          await request((m) => m.info(t('task.saved', { title })));
          const [read] = (await request((m) => m.consume())).result;
          expect(read?.translation).toEqual({
            key: 'task.saved',
            params: { title: Object.is(title, -0) ? 0 : title },
          });
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("an action's label given by key", () => {
  const labelled = createActionMaker<typeof router>(
    defineCatalog({ 'task.undo': 'Undo {what}' }).templates,
  );
  const undo = defineCatalog({ 'task.undo': 'Undo {what}' });

  it("carries the key and parameters, and the catalog's text as its label", () => {
    const made = labelled({
      label: undo('task.undo', { what: 'delete' }),
      path: 'tasks.restore',
      input: { id: 1 },
    });
    expect(made).toMatchObject({
      label: 'Undo delete',
      translation: { key: 'task.undo', params: { what: 'delete' } },
    });
  });

  it('is refused without a catalog, or with a key the catalog lacks', () => {
    expect(() =>
      action({ label: undo('task.undo', { what: 'x' }), path: 'tasks.restore', input: { id: 1 } }),
    ).toThrow(/createMessages was given no catalog/);
    expect(() =>
      labelled({ label: { key: 'gone', params: {} }, path: 'tasks.restore', input: { id: 1 } }),
    ).toThrow(/the catalog has no message "gone"/);
  });
});

describe('add options', () => {
  it('refuse a key that is empty, not a string or over 128 characters', async () => {
    const request = browser(cookieStorage({ secret }));
    for (const key of ['', 'k'.repeat(129), 5 as never]) {
      await expect(request((m) => m.info('x', { key }))).rejects.toThrow(/key must be a string/);
    }
  });

  it("refuse an action not made by the kit's actions()", async () => {
    const request = browser(cookieStorage({ secret }));
    await expect(
      request((m) => m.info('x', { action: { label: 'Undo', path: 'a.b' } as never })),
    ).rejects.toThrow(/must be made by the kit's actions\(\)/);
  });
});
