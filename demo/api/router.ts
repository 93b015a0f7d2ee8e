import type { IncomingMessage, ServerResponse } from 'node:http';
import { initTRPC } from '@trpc/server';
import { DEBUG } from 'trpc-messages';
import { createMessages, type Storage } from 'trpc-messages/server';
import { z } from 'zod';
import { NOTICE, tags } from '../tags.js';
import { TaskBoard } from './task-board.js';

/** How long the demo's "slow job" takes. */
export const SLOW_JOB_MS = 1500;

/** Builds the demo's API: the messages kit, the tasks, and the router the client calls. */
export function createDemoApi(storage?: Storage) {
  const messages = createMessages({ tags, ...(storage ? { storage } : {}) });
  const board = new TaskBoard();

  const createContext = (opts: {
    req: IncomingMessage;
    res: ServerResponse;
    info?: Parameters<typeof messages.fromRequest>[0]['info'];
  }) => {
    const ctx = { messages: messages.fromRequest(opts) };
    // The page's "debug messages" switch: this request stores DEBUG messages too.
    if (opts.req.headers['x-debug-messages'] === 'on') ctx.messages.level = DEBUG;
    return ctx;
  };
  const t = initTRPC.context<typeof createContext>().create();

  // Invalid input never reaches the procedure: tell the user what was wrong, as a message.
  const explainInvalidInput = t.middleware(async ({ ctx, next }) => {
    const result = await next();
    if (!result.ok && result.error.cause instanceof z.ZodError) {
      for (const issue of result.error.cause.issues) ctx.messages.error(issue.message);
    }
    return result;
  });
  const procedure = t.procedure.use(messages.persist).use(explainInvalidInput);

  const title = z
    .string()
    .trim()
    .min(1, 'A task needs a title.')
    .max(80, 'A title has at most 80 characters.');
  const taskId = z.object({ id: z.number().int() });

  const router = t.router({
    messages: messages.router,
    tasks: procedure.query(() => board.list()),
    create: procedure.input(z.object({ title })).mutation(({ ctx, input }) => {
      const task = board.add(input.title);
      ctx.messages.success(`Task "${task.title}" created.`);
      ctx.messages.debug(`Task ${task.id} stored; the board holds ${board.size} tasks.`);
      return task;
    }),
    complete: procedure.input(taskId).mutation(({ ctx, input }) => {
      const task = board.complete(input.id);
      if (task) ctx.messages.info(`Task "${task.title}" completed.`);
      else ctx.messages.warning('That task no longer exists.');
    }),
    remove: procedure.input(taskId).mutation(({ ctx, input }) => {
      const task = board.remove(input.id);
      if (task) ctx.messages.warning(`Task "${task.title}" deleted.`, { extraTags: 'undoable' });
    }),
    remind: procedure.mutation(({ ctx }) => {
      ctx.messages.add(NOTICE, `You have ${board.openCount} open tasks.`);
    }),
    // A job outlives the request that started it: its message is sent from the background and
    // reaches the page live, through messages.live.
    slowJob: procedure.mutation(({ ctx }) => {
      const recipient = ctx.messages.recipient();
      ctx.messages.info('Export started: a message will follow when it is ready.');
      setTimeout(() => {
        messages
          .to(recipient)
          .success('Your export is ready.')
          .catch((error: unknown) => {
            console.error('demo: the export message could not be sent', error);
          });
      }, SLOW_JOB_MS).unref();
    }),
  });

  return { messages, router, createContext, board };
}

/** The demo's router type, for the typed client. */
export type DemoRouter = ReturnType<typeof createDemoApi>['router'];
