import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Signer } from '../../../server/crypto/signer.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import type { MessageStore } from '../../../server/storage/message-store.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { MemoryStore } from '../../../server/stores/memory/memory-store.js';
import {
  checkAction,
  createActionMaker,
  createActionSigner,
  DEFAULT_ACTION_EXPIRY_MS,
} from '../../../server/trpc/actions.js';
import {
  type CreateMessagesOptions,
  createMessages,
} from '../../../server/trpc/create-messages.js';
import type { NodeRequestOptions } from '../../../server/trpc/from-request.js';
import { type ActionClaim, CLIENT_HEADER, formatClientHeader } from '../../../shared/delivery.js';
import type { Message, MessageAction } from '../../../shared/message.js';
import { CookieJar } from '../../fixtures/cookie-jar.js';
import { SESSION_COOKIE, sessionIdOf } from '../../fixtures/session-cookie.js';
import { browserFetch } from '../../fixtures/trpc-client.js';

const secret = 'actions-test-secret-0123456789abcdef';

/** A task app whose delete offers an Undo, as docs/actions.md shows it. */
function createTaskApp(options: CreateMessagesOptions<never> = {}) {
  const messages = createMessages({
    storage: serverStorage({ secret, store: new MemoryStore() }),
    secret,
    ...options,
  });
  const tasks = new Map([
    [1, { id: 1, title: 'Write the tests', deleted: false }],
    [2, { id: 2, title: 'Ship it', deleted: false }],
  ]);
  const createContext = (opts: NodeRequestOptions) => ({ messages: messages.fromRequest(opts) });
  const t = initTRPC.context<typeof createContext>().create();
  const procedure = t.procedure.use(messages.persist);
  const id = z.object({ id: z.number().int() });
  // The router's own type, before it is declared: actions are checked against it.
  const action = messages.actions<typeof router>();

  const router = t.router({
    messages: messages.router,
    tasks: t.router({
      remove: procedure
        .input(id.extend({ expiresInMs: z.number().int().optional() }))
        .mutation(({ ctx, input }) => {
          const task = tasks.get(input.id);
          if (!task) return;
          task.deleted = true;
          ctx.messages.warning(`Task "${task.title}" deleted.`, {
            action: action({
              label: 'Undo',
              path: 'tasks.restore',
              input: { id: task.id },
              ...(input.expiresInMs ? { expiresInMs: input.expiresInMs } : {}),
            }),
          });
        }),
      restore: procedure
        .use(messages.requireAction)
        .input(id)
        .mutation(({ ctx, input }) => {
          const task = tasks.get(input.id);
          if (!task) return;
          task.deleted = false;
          ctx.messages.success(`Task "${task.title}" restored.`);
        }),
      // Not guarded: runs as an action or as a plain call.
      rename: procedure.input(id.extend({ title: z.string() })).mutation(({ ctx, input }) => {
        const task = tasks.get(input.id);
        if (task) task.title = input.title;
        ctx.messages.info('Renamed.');
      }),
      list: procedure.query(() => [...tasks.values()]),
    }),
  });
  return { messages, router, createContext, tasks, action };
}

type TaskRouter = ReturnType<typeof createTaskApp>['router'];

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(options: CreateMessagesOptions<never> = {}) {
  const app = createTaskApp(options);
  const server = createServer(
    createHTTPHandler({ router: app.router, createContext: app.createContext }),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { ...app, url: `http://127.0.0.1:${port}` };
}

/** A browser of the app whose link claims `claims` on every request, as the Toaster's does. */
function browser(url: string, jar = new CookieJar()) {
  let claims: ActionClaim[] = [];
  const client = createTRPCClient<TaskRouter>({
    links: [
      httpBatchLink({
        url,
        fetch: browserFetch(jar),
        headers: () =>
          claims.length > 0
            ? { [CLIENT_HEADER]: formatClientHeader({ acks: [], actions: claims }) }
            : {},
      }),
    ],
  });
  return {
    client,
    jar,
    /** Runs `call` with the claim of `action` on its request. */
    async act<T>(action: MessageAction, call: () => Promise<T>): Promise<T> {
      claims = [{ path: action.path, token: action.token }];
      try {
        return await call();
      } finally {
        claims = [];
      }
    },
    async actionOfLastMessage(): Promise<MessageAction> {
      const { messages } = await client.messages.consume.query();
      const action = (messages.at(-1) as Message | undefined)?.action;
      if (!action) throw new Error('the last message offers no action');
      return action;
    },
  };
}

async function refusal(call: Promise<unknown>): Promise<TRPCClientError<TaskRouter>> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof TRPCClientError)) throw new Error('the call was not refused');
  return error as TRPCClientError<TaskRouter>;
}

describe("a message's action", () => {
  it('reaches the client with its label, path, JSON input and the signature', async () => {
    const { url } = await serve();
    const visitor = browser(url);
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const { messages } = await visitor.client.messages.consume.query();
    expect(messages).toEqual([
      expect.objectContaining({
        message: 'Task "Write the tests" deleted.',
        action: {
          label: 'Undo',
          path: 'tasks.restore',
          input: { id: 1 },
          expiresAt: expect.any(Number),
          token: expect.stringMatching(/^[0-9]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/),
        },
      }),
    ]);
  });

  it('expires 10 minutes after it was offered, when its maker names no expiry', async () => {
    const { url } = await serve();
    const visitor = browser(url);
    const before = Date.now();
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const undo = await visitor.actionOfLastMessage();
    expect(undo.expiresAt).toBeGreaterThanOrEqual(before + DEFAULT_ACTION_EXPIRY_MS);
    expect(undo.expiresAt).toBeLessThanOrEqual(Date.now() + DEFAULT_ACTION_EXPIRY_MS);
    expect(undo.token.startsWith(`${undo.expiresAt}.`)).toBe(true);
  });

  it('runs the offered mutation, and the call adds its own messages', async () => {
    const { url, tasks } = await serve();
    const visitor = browser(url);
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const undo = await visitor.actionOfLastMessage();
    await visitor.act(undo, () =>
      visitor.client.tasks.restore.mutate(undo.input as { id: number }),
    );
    expect(tasks.get(1)?.deleted).toBe(false);
    const { messages } = await visitor.client.messages.consume.query();
    expect(messages.map((m) => m.message)).toEqual(['Task "Write the tests" restored.']);
  });

  it('refuses a call whose input was changed, with a clear error, and runs nothing', async () => {
    const { url, tasks } = await serve();
    const visitor = browser(url);
    await visitor.client.tasks.remove.mutate({ id: 1 });
    await visitor.client.tasks.remove.mutate({ id: 2 });
    const undo = await visitor.actionOfLastMessage();
    // The token of "restore task 2", sent with task 1.
    const error = await refusal(
      visitor.act(undo, () => visitor.client.tasks.restore.mutate({ id: 1 })),
    );
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/does not match what the server offered/);
    expect(tasks.get(1)?.deleted).toBe(true);
  });

  it('refuses a token used for another mutation', async () => {
    const { url, tasks } = await serve();
    const visitor = browser(url);
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const undo = await visitor.actionOfLastMessage();
    const error = await refusal(
      visitor.act({ ...undo, path: 'tasks.rename' }, () =>
        visitor.client.tasks.rename.mutate({ id: 1, title: 'Taken over' }),
      ),
    );
    expect(error.message).toMatch(/tasks\.rename does not match/);
    expect(tasks.get(1)?.title).toBe('Write the tests');
  });

  it('refuses a forged token', async () => {
    const { url, tasks } = await serve();
    const visitor = browser(url);
    const expiresAt = Date.now() + 60_000;
    const forged = {
      path: 'tasks.restore',
      token: `${expiresAt}.${'B'.repeat(16)}.${'A'.repeat(43)}`,
    };
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const error = await refusal(
      visitor.act({ ...forged, label: 'Undo', input: { id: 1 }, expiresAt }, () =>
        visitor.client.tasks.restore.mutate({ id: 1 }),
      ),
    );
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(tasks.get(1)?.deleted).toBe(true);
  });

  it('refuses an action taken after it expired', async () => {
    const { url, tasks } = await serve();
    const visitor = browser(url);
    await visitor.client.tasks.remove.mutate({ id: 1, expiresInMs: 1 });
    const undo = await visitor.actionOfLastMessage();
    expect(undo.expiresAt).toBeGreaterThan(0);
    // Waits on the clock itself, not for a set time.
    while (Date.now() <= undo.expiresAt) await new Promise((resolve) => setImmediate(resolve));
    const error = await refusal(
      visitor.act(undo, () => visitor.client.tasks.restore.mutate({ id: 1 })),
    );
    expect(error.message).toMatch(/has expired/);
    expect(tasks.get(1)?.deleted).toBe(true);
  });

  it('lets requireAction refuse a plain call of the mutation', async () => {
    const { url, tasks } = await serve();
    const visitor = browser(url);
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const error = await refusal(visitor.client.tasks.restore.mutate({ id: 1 }));
    expect(error.data?.code).toBe('FORBIDDEN');
    expect(error.message).toMatch(/runs only as the action of a message/);
    expect(tasks.get(1)?.deleted).toBe(true);
  });

  it('leaves the other calls of a batch alone', async () => {
    const { url, tasks } = await serve();
    const visitor = browser(url);
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const undo = await visitor.actionOfLastMessage();
    const [listed] = await visitor.act(undo, () =>
      Promise.all([
        visitor.client.tasks.list.query(),
        visitor.client.tasks.restore.mutate({ id: 1 }),
        visitor.client.tasks.rename.mutate({ id: 2, title: 'Ship it today' }),
      ]),
    );
    expect(listed).toHaveLength(2);
    expect(tasks.get(1)?.deleted).toBe(false);
    expect(tasks.get(2)?.title).toBe('Ship it today');
  });

  it('is refused by an instance with another secret', async () => {
    const first = await serve();
    const visitor = browser(first.url);
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const undo = await visitor.actionOfLastMessage();
    const other = new Signer('another-secret-0123456789abcdefghij', 'trpc-messages.action');
    const check = checkAction(
      [{ path: undo.path, token: undo.token }],
      undo.path,
      undo.input,
      other,
      [`session:${sessionIdOf(visitor.jar.get(SESSION_COOKIE) ?? '')}`],
    );
    expect(check.kind).toBe('refused');
  });
});

describe('an action, taken by someone else or twice', () => {
  it('runs once: the same claim sent again is refused with CONFLICT, and the mutation does not run again', async () => {
    const { url, tasks } = await serve();
    const visitor = browser(url);
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const firstUndo = await visitor.actionOfLastMessage();
    await visitor.act(firstUndo, () => visitor.client.tasks.restore.mutate({ id: 1 }));
    expect(tasks.get(1)?.deleted).toBe(false);
    // Deleted again: the first deletion's Undo must not bring it back.
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const error = await refusal(
      visitor.act(firstUndo, () => visitor.client.tasks.restore.mutate({ id: 1 })),
    );
    expect(error.data?.code).toBe('CONFLICT');
    expect(error.message).toMatch(/tasks\.restore was taken already/);
    expect(tasks.get(1)?.deleted).toBe(true);
  });

  it('runs once even when the same claim is sent twice at once', async () => {
    const { url, tasks } = await serve();
    const visitor = browser(url);
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const undo = await visitor.actionOfLastMessage();
    let restores = 0;
    const original = tasks.get(1);
    if (!original) throw new Error('no task 1');
    // Count the restores the mutation makes.
    const watched = new Proxy(original, {
      set(target, property, value) {
        if (property === 'deleted' && value === false) restores += 1;
        return Reflect.set(target, property, value);
      },
    });
    tasks.set(1, watched);
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map(() => visitor.act(undo, () => visitor.client.tasks.restore.mutate({ id: 1 }))),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(restores).toBe(1);
  });

  it("refuses another visitor's claim, and the mutation does not run in their session", async () => {
    const { url, tasks } = await serve();
    const owner = browser(url);
    await owner.client.tasks.remove.mutate({ id: 1 });
    const undo = await owner.actionOfLastMessage();
    const other = browser(url);
    await other.client.messages.consume.query(); // a session of its own
    expect(other.jar.get('messages_session')).toBeDefined();

    const error = await refusal(
      other.act(undo, () => other.client.tasks.restore.mutate({ id: 1 })),
    );
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/offered to another session or user/);
    expect(tasks.get(1)?.deleted).toBe(true);
    // The owner still can.
    await owner.act(undo, () => owner.client.tasks.restore.mutate({ id: 1 }));
    expect(tasks.get(1)?.deleted).toBe(false);
  });

  it('refuses a claim sent with no session at all, saying so', async () => {
    const { url, tasks } = await serve();
    const owner = browser(url);
    await owner.client.tasks.remove.mutate({ id: 1 });
    const undo = await owner.actionOfLastMessage();
    const stranger = browser(url);

    const error = await refusal(
      stranger.act(undo, () => stranger.client.tasks.restore.mutate({ id: 1 })),
    );
    expect(error.data?.code).toBe('FORBIDDEN');
    expect(error.message).toMatch(/carries neither/);
    expect(tasks.get(1)?.deleted).toBe(true);
  });

  it('refuses the action, and reports why, when its use cannot be recorded', async () => {
    const store = new MemoryStore();
    const down: MessageStore = {
      peek: (key) => store.peek(key),
      commit: (key, change) => store.commit(key, change),
      retire: (key, successor, retirement) => store.retire(key, successor, retirement),
      markUsed: () => Promise.reject(new Error('the store is down')),
      watch: (key, listener) => store.watch(key, listener),
    };
    const reported: unknown[] = [];
    const { url, tasks } = await serve({
      storage: serverStorage({ secret, store: down }),
      onError: (error) => reported.push(error),
    });
    const visitor = browser(url);
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const undo = await visitor.actionOfLastMessage();

    const error = await refusal(
      visitor.act(undo, () => visitor.client.tasks.restore.mutate({ id: 1 })),
    );
    expect(error.data?.code).toBe('PRECONDITION_FAILED');
    expect(error.message).toMatch(/could not be recorded as used/);
    expect(tasks.get(1)?.deleted).toBe(true);
    expect(reported).toEqual([new Error('the store is down')]);
  });

  it('with the cookie storage, is bound to no one but still runs once per instance', async () => {
    const { url, tasks } = await serve({ storage: cookieStorage({ secret }) });
    const owner = browser(url);
    await owner.client.tasks.remove.mutate({ id: 1 });
    const undo = await owner.actionOfLastMessage();
    const other = browser(url);
    // The messages live in the browser: there is no session to bind the action to.
    await other.act(undo, () => other.client.tasks.restore.mutate({ id: 1 }));
    expect(tasks.get(1)?.deleted).toBe(false);
    await owner.client.tasks.remove.mutate({ id: 1 });
    const error = await refusal(
      owner.act(undo, () => owner.client.tasks.restore.mutate({ id: 1 })),
    );
    expect(error.data?.code).toBe('CONFLICT');
    expect(tasks.get(1)?.deleted).toBe(true);
  });
});

describe('checkAction', () => {
  const signer = new Signer(secret, 'trpc-messages.action');
  const maker = createActionMaker<TaskRouter>();
  const sign = createActionSigner(signer);
  const me = 'session:me';
  const json = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);

  it('verifies exactly the input that was signed, whatever it is', () => {
    fc.assert(
      fc.property(json, json, (signed, sent) => {
        const action = sign(
          maker({ label: 'Go', path: 'tasks.rename', input: signed as never }),
          me,
        );
        const claims = [{ path: action.path, token: action.token }];
        const check = checkAction(claims, 'tasks.rename', sent, signer, [me]);
        const same = JSON.stringify(signed ?? null) === JSON.stringify(sent ?? null);
        expect(check.kind).toBe(same ? 'verified' : 'refused');
        expect(checkAction(claims, 'tasks.rename', action.input, signer, [me]).kind).toBe(
          'verified',
        );
      }),
    );
  });

  it('verifies a token only for the recipient it was offered to', () => {
    const recipient = fc.oneof(
      fc.string().map((id) => `session:${id}`),
      fc.string().map((id) => `user:${id}`),
      fc.constant(''),
    );
    fc.assert(
      fc.property(recipient, fc.uniqueArray(recipient, { maxLength: 3 }), (offeredTo, held) => {
        const action = sign(
          maker({ label: 'Undo', path: 'tasks.restore', input: { id: 1 } }),
          offeredTo,
        );
        const claims = [{ path: action.path, token: action.token }];
        const check = checkAction(claims, 'tasks.restore', { id: 1 }, signer, held);
        expect(check.kind).toBe(held.includes(offeredTo) ? 'verified' : 'refused');
      }),
    );
  });

  it('gives a fresh token id each time an action is offered', () => {
    const action = maker({ label: 'Undo', path: 'tasks.restore', input: { id: 1 } });
    const ids = new Set(Array.from({ length: 100 }, () => sign(action, me).token.split('.')[1]));
    expect(ids.size).toBe(100);
  });

  it('ignores claims of other paths: a plain call', () => {
    const action = sign(maker({ label: 'Undo', path: 'tasks.restore', input: { id: 1 } }), me);
    expect(
      checkAction(
        [{ path: 'tasks.restore', token: action.token }],
        'tasks.list',
        undefined,
        signer,
        [me],
      ),
    ).toEqual({ kind: 'none' });
  });

  it('refuses a token with any character changed', () => {
    const action = sign(maker({ label: 'Undo', path: 'tasks.restore', input: { id: 1 } }), me);
    fc.assert(
      fc.property(
        fc.nat({ max: action.token.length - 1 }),
        fc.constantFrom(...'AZaz09-_'),
        (at, char) => {
          const token = action.token.slice(0, at) + char + action.token.slice(at + 1);
          fc.pre(token !== action.token && /^[0-9]+\./.test(token));
          expect(
            checkAction([{ path: action.path, token }], action.path, { id: 1 }, signer, [me]).kind,
          ).toBe('refused');
        },
      ),
    );
  });

  it('refuses to make an action with an empty or long label or a path that is not one', () => {
    expect(() => maker({ label: '', path: 'tasks.restore', input: { id: 1 } })).toThrow(TypeError);
    expect(() => maker({ label: 'x'.repeat(41), path: 'tasks.restore', input: { id: 1 } })).toThrow(
      /1 to 40 characters/,
    );
    // biome-ignore lint/suspicious/noExplicitAny: a path from untyped code
    expect(() => maker({ label: 'Undo', path: 'tasks restore' as any, input: { id: 1 } })).toThrow(
      /must be a tRPC path/,
    );
    expect(() =>
      maker({ label: 'Undo', path: 'tasks.restore', input: { id: 1 }, expiresInMs: -5 }),
    ).toThrow(/expiresInMs must be a positive integer/);
  });
});

describe('the types of actions', () => {
  it('accept only the mutations of the router, with their input', () => {
    const { action } = createTaskApp();
    action({ label: 'Undo', path: 'tasks.restore', input: { id: 1 } });
    action({ label: 'Rename', path: 'tasks.rename', input: { id: 1, title: 'x' } });
    // @ts-expect-error a path the router does not have
    expect(() => action({ label: 'Undo', path: 'tasks.nope', input: { id: 1 } })).not.toThrow();
    // @ts-expect-error an input of the wrong type
    action({ label: 'Undo', path: 'tasks.restore', input: { id: 'one' } });
    // @ts-expect-error an input that lacks a field
    action({ label: 'Rename', path: 'tasks.rename', input: { id: 1 } });
    // @ts-expect-error a query is not an action
    action({ label: 'List', path: 'tasks.list', input: undefined });
  });
});
