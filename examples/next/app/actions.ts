'use server';

import { redirect } from 'next/navigation';
import { withActionMessages } from 'trpc-messages/next';
import { z } from 'zod';
import { messages } from '../server/messages';
import { actionProcedure } from '../server/trpc';
import { currentUser, setCurrentUser } from '../server/user';

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
  await withActionMessages(messages, (m) => m.success(`Task "${title}" created.`), {
    userId: await currentUser(),
  });
  redirect('/tasks');
}

/**
 * Signs a user in. The messages session is rotated into the user's: whoever holds a copy of the
 * visitor's session cookie reads nothing from now on, and the visitor's unread messages follow
 * the user.
 */
export async function signIn(form: FormData) {
  const name = String(form.get('name') ?? '').trim() || 'Ada';
  await setCurrentUser(name);
  await withActionMessages(messages, async (m) => {
    await m.rotateSession({ userId: name });
    m.success(`Signed in as ${name}.`);
  });
}

/** Signs the user out: a new visitor session, where the goodbye goes. */
export async function signOut() {
  const user = await currentUser();
  await setCurrentUser(undefined);
  await withActionMessages(
    messages,
    async (m) => {
      await m.rotateSession();
      m.info('Signed out.');
    },
    { userId: user },
  );
}
