import Link from 'next/link';
import { FlashMessages } from 'trpc-messages/next';
import { messages } from '../../server/messages';

export default function TaskList() {
  return (
    <main>
      <FlashMessages messages={messages} />
      <h1>Task list</h1>
      <Link href="/">Back</Link>
    </main>
  );
}
