import Link from 'next/link';
import { FlashMessages } from 'trpc-messages/next';
import { messages } from '../server/messages';
import { createTaskAndOpenList } from './actions';
import { TaskButtons } from './task-buttons';

export default function Home() {
  return (
    <main>
      <FlashMessages messages={messages} />
      <h1>Tasks</h1>
      <TaskButtons />
      <form action={createTaskAndOpenList}>
        <input name="title" aria-label="Title" defaultValue="Plan the week" />
        <button type="submit">Create and open the list (form action)</button>
      </form>
      <Link href="/tasks">Open the list</Link>
    </main>
  );
}
