// The app on Deno: Deno.serve takes the fetch handler as it is.
import { serverApp } from '../app/server-app.js';
import { exitWithParent } from './exit-with-parent.js';

/** The part of Deno's global this launcher uses (the project does not install Deno's types). */
declare const Deno: {
  serve(
    options: {
      readonly hostname: string;
      readonly port: number;
      readonly onListen: (address: { readonly port: number }) => void;
    },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
  readonly env: { toObject(): Record<string, string> };
};

exitWithParent();
const app = serverApp(Deno.env.toObject());
Deno.serve(
  {
    hostname: '127.0.0.1',
    port: 0,
    onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
  },
  app.fetch,
);
