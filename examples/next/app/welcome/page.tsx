import { FlashMessages, pageMessages } from 'trpc-messages/next';
import { messages } from '../../server/messages';

// Rendered for each visitor: its message is part of the render, not of any stored session.
export const dynamic = 'force-dynamic';

export default async function Welcome() {
  // A server component's own message, for this paint.
  const page = await pageMessages(messages);
  page.info('Welcome! Your tasks are saved as you go.');
  return (
    <main>
      <FlashMessages messages={messages} page={page} />
      <h1>Welcome</h1>
    </main>
  );
}
