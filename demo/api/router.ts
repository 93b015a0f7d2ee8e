import type { IncomingMessage, ServerResponse } from 'node:http';
import { initTRPC } from '@trpc/server';
import { DEBUG, type Translation } from 'trpc-messages';
import { createMessages, type MessageStorage, type Secret } from 'trpc-messages/server';
import { z } from 'zod';
import { t } from '../catalog.js';
import { NOTICE, tags } from '../tags.js';
import { MAX_TITLE_LENGTH } from '../task.js';
import { MAX_NAME_LENGTH } from '../user.js';
import { setUser, userOf } from './demo-user.js';
import { EXPORT_KEY, startExport } from './export-job.js';
import { TaskBoards } from './task-boards.js';

/** How long a deleted task's Undo is offered, in ms. */
const UNDO_MS = 15_000;

/** How the demo's API keeps and signs its messages. */
export interface DemoApiOptions {
  /** Where messages are kept (default: the embedded memory store). */
  readonly storage?: MessageStorage;
  /** What signs the session cookie and the Undo actions (default: the kit's, MESSAGES_SECRET). */
  readonly secret?: Secret;
}

/** Builds the demo's API: the messages kit, the visitors' boards, and the router the page calls. */
export function createDemoApi({ storage, secret }: DemoApiOptions = {}) {
  const messages = createMessages({
    tags,
    catalog: t,
    ...(storage ? { storage } : {}),
    ...(secret ? { secret } : {}),
  });
  const boards = new TaskBoards();
  const action = messages.actions<typeof router>();

  const createContext = (opts: {
    req: IncomingMessage;
    res: ServerResponse;
    info?: Parameters<typeof messages.fromRequest>[0]['info'];
  }) => {
    // A signed-in browser's messages (and board) are its user's, on every browser they use.
    const user = userOf(opts.req);
    const ctx = { messages: messages.fromRequest(opts, { userId: user }), user, res: opts.res };
    // The page's "debug messages" switch: this request stores DEBUG messages too.
    if (opts.req.headers['x-debug-messages'] === 'on') ctx.messages.level = DEBUG;
    return ctx;
  };
  const trpc = initTRPC.context<typeof createContext>().create();

  // The input checks name their catalog message (zod's `message`), the middleware sends it.
  const inputMessages = new Map<string, Translation>([
    ['task.titleMissing', t('task.titleMissing')],
    ['task.titleTooLong', t('task.titleTooLong', { max: MAX_TITLE_LENGTH })],
  ]);
  // Invalid input never reaches the procedure: tell the user what was wrong, as a message.
  const explainInvalidInput = trpc.middleware(async ({ ctx, next }) => {
    const result = await next();
    if (!result.ok && result.error.cause instanceof z.ZodError) {
      for (const issue of result.error.cause.issues) {
        ctx.messages.error(inputMessages.get(issue.message) ?? issue.message);
      }
    }
    return result;
  });
  const procedure = trpc.procedure.use(messages.persist).use(explainInvalidInput);
  // Each visitor has a board of their own, found by whom their messages are for (their session,
  // or their user once signed in).
  const withBoard = procedure.use(({ ctx, next }) =>
    next({ ctx: { board: boards.of(ctx.messages.recipient()) } }),
  );

  const title = z
    .string()
    .trim()
    .min(1, 'task.titleMissing')
    .max(MAX_TITLE_LENGTH, 'task.titleTooLong');
  const taskId = z.object({ id: z.number().int() });

  const router = trpc.router({
    messages: messages.router,
    user: procedure.query(({ ctx }) => ctx.user ?? null),
    // Signing in rotates the messages session: whoever holds a copy of the visitor's cookie
    // reads nothing more, and the visitor's unread messages (and, here, board) follow the user.
    signIn: procedure
      .input(z.object({ name: z.string().trim().min(1).max(MAX_NAME_LENGTH) }))
      .mutation(async ({ ctx, input }) => {
        const visitor = ctx.messages.recipient();
        await ctx.messages.rotateSession({ userId: input.name });
        boards.adopt(visitor, ctx.messages.recipient());
        setUser(ctx.res, input.name);
        ctx.messages.success(t('user.signedIn', { name: input.name }));
      }),
    // Signing out: the browser is a new visitor, where the goodbye goes; the board stays the user's.
    signOut: procedure.mutation(async ({ ctx }) => {
      await ctx.messages.rotateSession();
      setUser(ctx.res, undefined);
      ctx.messages.info(t('user.signedOut'));
    }),
    tasks: withBoard.query(({ ctx }) => ctx.board.list()),
    create: withBoard.input(z.object({ title })).mutation(({ ctx, input }) => {
      const task = ctx.board.add(input.title);
      ctx.messages.success(t('task.created', { title: task.title }));
      ctx.messages.debug(t('task.stored', { id: task.id, count: ctx.board.size }));
      return task;
    }),
    complete: withBoard.input(taskId).mutation(({ ctx, input }) => {
      const task = ctx.board.complete(input.id);
      if (task) ctx.messages.info(t('task.completed', { title: task.title }));
      else ctx.messages.warning(t('task.gone'));
    }),
    remove: withBoard.input(taskId).mutation(({ ctx, input }) => {
      const task = ctx.board.remove(input.id);
      if (!task) return;
      ctx.messages.warning(t('task.deleted', { title: task.title }), {
        extraTags: 'undoable',
        action: action({ label: t('task.undo'), path: 'restore', input, expiresInMs: UNDO_MS }),
      });
    }),
    // Runs only as the Undo of a deletion's message: a call the server did not offer is refused.
    restore: withBoard
      .use(messages.requireAction)
      .input(taskId)
      .mutation(({ ctx, input }) => {
        const task = ctx.board.restore(input.id);
        if (task) ctx.messages.success(t('task.restored', { title: task.title }));
        else ctx.messages.warning(t('task.gone'));
      }),
    remind: withBoard.mutation(({ ctx }) => {
      ctx.messages.add(NOTICE, t('tasks.open', { count: ctx.board.openCount }));
    }),
    // A job outlives the request that started it: its progress is sent from the background and
    // reaches the page live (messages.live), each step in place of the one before (one key).
    exportTasks: procedure.mutation(({ ctx }) => {
      ctx.messages.info(t('export.progress', { percent: 0 }), { key: EXPORT_KEY });
      startExport(messages.to(ctx.messages.recipient()));
    }),
  });

  return { messages, router, createContext, boards };
}

/** The demo's router type, for the typed client. */
export type DemoRouter = ReturnType<typeof createDemoApi>['router'];
