import Link from 'next/link';
import { FlashMessages } from 'trpc-messages/next';
import { messages } from '../../server/messages';
import { currentUser } from '../../server/user';

export default async function TaskList() {
  return (
    <main>
      <FlashMessages messages={messages} userId={await currentUser()} />
      <h1>Task list</h1>
      <Link href="/">Back</Link>
    </main>
  );
}
