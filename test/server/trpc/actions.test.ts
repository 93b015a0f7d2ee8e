import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryStore } from '../../../server/storage/memory-store.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { Signer } from '../../../server/storage/signer.js';
import { checkAction, createActionMaker } from '../../../server/trpc/actions.js';
import { createMessages } from '../../../server/trpc/create-messages.js';
import type { NodeRequestOptions } from '../../../server/trpc/from-request.js';
import { type ActionClaim, CLIENT_HEADER, formatClientHeader } from '../../../shared/delivery.js';
import type { Message, MessageAction } from '../../../shared/message.js';
import { CookieJar } from '../../fixtures/cookie-jar.js';
import { browserFetch } from '../../fixtures/trpc-client.js';

const secret = 'actions-test-secret-0123456789abcdef';

/** A task app whose delete offers an Undo, as the README shows it. */
function createTaskApp() {
  const messages = createMessages({
    storage: serverStorage({ secret, store: new MemoryStore() }),
    secret,
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

async function serve() {
  const app = createTaskApp();
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
          expiresAt: 0,
          token: expect.stringMatching(/^0\.[A-Za-z0-9_-]{43}$/),
        },
      }),
    ]);
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
    const forged = { path: 'tasks.restore', token: `0.${'A'.repeat(43)}` };
    await visitor.client.tasks.remove.mutate({ id: 1 });
    const error = await refusal(
      visitor.act({ ...forged, label: 'Undo', input: { id: 1 }, expiresAt: 0 }, () =>
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
    );
    expect(check.kind).toBe('refused');
  });
});

describe('checkAction', () => {
  const signer = new Signer(secret, 'trpc-messages.action');
  const maker = createActionMaker<TaskRouter>(signer);
  const json = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);

  it('verifies exactly the input that was signed, whatever it is', () => {
    fc.assert(
      fc.property(json, json, (signed, sent) => {
        const action = maker({ label: 'Go', path: 'tasks.rename', input: signed as never });
        const claims = [{ path: action.path, token: action.token }];
        const check = checkAction(claims, 'tasks.rename', sent, signer);
        const same = JSON.stringify(signed ?? null) === JSON.stringify(sent ?? null);
        expect(check.kind).toBe(same ? 'verified' : 'refused');
        expect(checkAction(claims, 'tasks.rename', action.input, signer).kind).toBe('verified');
      }),
    );
  });

  it('ignores claims of other paths: a plain call', () => {
    const action = maker({ label: 'Undo', path: 'tasks.restore', input: { id: 1 } });
    expect(
      checkAction(
        [{ path: 'tasks.restore', token: action.token }],
        'tasks.list',
        undefined,
        signer,
      ),
    ).toEqual({ kind: 'none' });
  });

  it('refuses a token with any character changed', () => {
    const action = maker({ label: 'Undo', path: 'tasks.restore', input: { id: 1 } });
    fc.assert(
      fc.property(
        fc.nat({ max: action.token.length - 1 }),
        fc.constantFrom(...'AZaz09-_'),
        (at, char) => {
          const token = action.token.slice(0, at) + char + action.token.slice(at + 1);
          fc.pre(token !== action.token && /^[0-9]+\./.test(token));
          expect(
            checkAction([{ path: action.path, token }], action.path, { id: 1 }, signer).kind,
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
