import Link from 'next/link';
import { FlashMessages } from 'trpc-messages/next';
import { messages } from '../server/messages';
import { currentUser } from '../server/user';
import { createTaskAndOpenList, signIn, signOut } from './actions';
import { TaskButtons } from './task-buttons';

export default async function Home() {
  const user = await currentUser();
  return (
    <main>
      <FlashMessages messages={messages} userId={user} />
      <h1>Tasks</h1>
      {user ? (
        <form action={signOut}>
          <p>Signed in as {user}</p>
          <button type="submit">Sign out</button>
        </form>
      ) : (
        <form action={signIn}>
          <input name="name" aria-label="Name" defaultValue="Ada" />
          <button type="submit">Sign in</button>
        </form>
      )}
      <TaskButtons />
      <form action={createTaskAndOpenList}>
        <input name="title" aria-label="Title" defaultValue="Plan the week" />
        <button type="submit">Create and open the list (form action)</button>
      </form>
      <Link href="/tasks">Open the list</Link>
    </main>
  );
}
