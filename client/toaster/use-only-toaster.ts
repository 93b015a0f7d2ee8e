import { useEffect } from 'react';

let mountedToasters = 0;

/** Warns, in development, when a second Toaster mounts: both would show every toast. */
export const useOnlyToaster =
  process.env.NODE_ENV === 'production'
    ? () => {}
    : () => {
        useEffect(() => {
          mountedToasters += 1;
          if (mountedToasters > 1) {
            console.warn(
              'trpc-messages: render one <Toaster /> per page; each shows every message.',
            );
          }
          return () => {
            mountedToasters -= 1;
          };
        }, []);
      };
