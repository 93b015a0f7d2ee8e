import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Toaster } from 'trpc-messages/client';
import { App } from './App.js';
import { followLanguageInDocument, useTranslate } from './i18n.js';
import { useTheme } from './theme.js';
import { useToastPosition } from './toast-position.js';
import { createClient, trpc } from './trpc.js';
import './styles.css';

function Root() {
  const [queryClient] = useState(() => new QueryClient());
  const [trpcClient] = useState(() =>
    createClient(() => void queryClient.invalidateQueries({ queryKey: getQueryKey(trpc.tasks) })),
  );
  const { theme } = useTheme();
  const position = useToastPosition();
  // A message given by key, in the page's language (toasts on screen follow a switch); the
  // server's English text for a key the page's catalogs lack.
  const translate = useTranslate('messages');
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <App />
        <Toaster
          client={trpcClient}
          live
          expand
          position={position}
          theme={theme}
          translate={translate}
        />
      </QueryClientProvider>
    </trpc.Provider>
  );
}

followLanguageInDocument();
const root = document.getElementById('root');
if (!root) throw new Error('the page has no #root element');
createRoot(root).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
