'use server';

import { redirect } from 'next/navigation';
import { withActionMessages } from 'trpc-messages/next';
import { z } from 'zod';
import { messages } from '../server/messages';
import { actionProcedure } from '../server/trpc';

const createTask = actionProcedure
  .input(z.object({ title: z.string().min(1) }))
  .mutation(({ ctx, input }) => {
    ctx.messages.success(`Task "${input.title}" created.`);
    return { title: input.title };
  });

/** A tRPC procedure as a Server Action, for `useMutation`: its toast comes in its own response. */
export async function createTaskAction(input: { title: string }) {
  return createTask(input);
}

/** A plain `<form action>`: the toast shows on the page it redirects to, in its first paint. */
export async function createTaskAndOpenList(form: FormData) {
  const title = String(form.get('title') ?? '');
  await withActionMessages(messages, (m) => m.success(`Task "${title}" created.`));
  redirect('/tasks');
}
