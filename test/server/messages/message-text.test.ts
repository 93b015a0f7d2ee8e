import { initTRPC } from '@trpc/server';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Signer } from '../../../server/crypto/signer.js';
import type { Messages } from '../../../server/messages/messages.js';
import type { MessageStorage } from '../../../server/storage/backend.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import { createActionMaker, createActionSigner } from '../../../server/trpc/actions.js';
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

const makeServer = () => serverStorage({ secret, store: new MemoryStore() });
const storages = { cookie: () => cookieStorage({ secret }), server: makeServer };

// Bad input is warned about once per call site in development: not what these tests are about.
beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

function browser(storage: MessageStorage) {
  const client = new Browser(storage, { catalog: t, signAction });
  return <T>(work: (messages: Messages) => T | Promise<T>) => client.request(work);
}

const trpc = initTRPC.create();
const router = trpc.router({
  tasks: trpc.router({
    restore: trpc.procedure.input(z.object({ id: z.number() })).mutation(() => undefined),
  }),
});
const action = createActionMaker<typeof router>();
// As the kit signs an action once its message is queued, for the message's recipient.
const signAction = createActionSigner(new Signer(secret, 'trpc-messages.action'));

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
      { key: undefined, offered: { ...undo, token: expect.stringMatching(/^[0-9]+\./) } },
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

  it('is dropped, and reported, when the app gave createMessages no catalog', async () => {
    const onError = vi.fn();
    const client = new Browser(cookieStorage({ secret }), { onError });
    const { setCookies } = await client.request((m) => m.info(t('all.done')));
    expect(setCookies).toEqual([]);
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({
        problem: 'catalog',
        outcome: 'dropped',
        message: expect.stringMatching(/createMessages was given no catalog.*pass \{ catalog \}/),
      }),
    );
  });

  it('is dropped, and reported, when its key is not in the catalog or a parameter is missing', async () => {
    const onError = vi.fn();
    const client = new Browser(cookieStorage({ secret }), { catalog: t, onError });
    const { setCookies } = await client.request((m) => {
      m.info({ key: 'nope', params: {} });
      m.info({ key: 'task.saved', params: {} });
      m.info({ key: 'task.saved', params: { title: true as never } });
      m.info({ key: 'export.progress', params: { percent: Number.NaN } });
    });
    expect(setCookies).toEqual([]);
    const said = onError.mock.calls.map(([error]: unknown[]) => (error as Error).message);
    expect(said).toEqual([
      expect.stringMatching(/the catalog has no message "nope"/),
      expect.stringMatching(/needs the parameter \{title\}/),
      expect.stringMatching(/needs the parameter \{title\}/),
      expect.stringMatching(/needs the parameter \{percent\}, as a string or finite number/),
    ]);
  });

  it('keeps only the parameters its template shows', async () => {
    const request = browser(makeServer());
    const params = { title: 'Docs', secret: 'not shown', nested: { deep: 1 } };
    await request((m) => m.success(t('task.saved', params as never)));
    const [read] = (await request((m) => m.consume())).result;
    expect(read?.translation).toEqual({ key: 'task.saved', params: { title: 'Docs' } });
  });

  it('counts its key and parameters against the size limit, cutting the parameter to fit', async () => {
    const onError = vi.fn();
    const client = new Browser(cookieStorage({ secret }), {
      catalog: t,
      maxMessageBytes: 96,
      onError,
    });
    await client.request((m) => m.info(t('task.saved', { title: 'é'.repeat(40) })));
    const [read] = (await client.request((m) => m.consume())).result;
    // The key, the parameters object, its property, its name and its value take 10 + 32 + 8 + 5
    // + 8 bytes: 33 are left for the title's text, 15 two-byte characters and the ellipsis.
    expect(read?.translation?.params).toEqual({ title: `${'é'.repeat(15)}…` });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ outcome: 'truncated' }));
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
  it('drop, reporting it, the message whose key is empty, not a string or over 128 characters', async () => {
    const onError = vi.fn();
    const client = new Browser(cookieStorage({ secret }), { onError });
    for (const key of ['', 'k'.repeat(129), 5 as never]) {
      const { setCookies } = await client.request((m) => m.info('x', { key }));
      expect(setCookies).toEqual([]);
    }
    expect(onError).toHaveBeenCalledTimes(3);
    expect(onError.mock.calls[1]?.[0].message).toMatch(
      /key must be a string of 1 to 128 characters, got 129 characters/,
    );
  });

  it("drop, reporting it, an action not made by the kit's actions(), keeping the message", async () => {
    const onError = vi.fn();
    const client = new Browser(cookieStorage({ secret }), { onError });
    await client.request((m) => m.info('x', { action: { label: 'Undo', path: 'a.b' } as never }));
    const [read] = (await client.request((m) => m.consume())).result;
    expect(read).toMatchObject({ message: 'x' });
    expect(read?.action).toBeUndefined();
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({
        problem: 'action',
        outcome: 'action-dropped',
        message: expect.stringMatching(/not made by the kit's actions\(\)/),
      }),
    );
  });

  it('drop, reporting it, an action too heavy to fit the limit with its message, keeping the message', async () => {
    const onError = vi.fn();
    const client = new Browser(cookieStorage({ secret }), {
      maxMessageBytes: 512,
      onError,
      signAction,
    });
    // Its input made heavier after it was made: what add weighs, not what it verifies.
    const undo = {
      ...action({ label: 'Undo', path: 'tasks.restore', input: { id: 1 } }),
      input: { id: 1, notes: 'n'.repeat(600) },
    };
    await client.request((m) => m.warning('Task deleted.', { action: undo }));
    const [read] = (await client.request((m) => m.consume())).result;
    expect(read).toMatchObject({ message: 'Task deleted.' });
    expect(read?.action).toBeUndefined();
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ problem: 'size', outcome: 'action-dropped' }),
    );
  });
});
