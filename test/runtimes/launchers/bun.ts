// The app on Bun: Bun.serve takes the fetch handler as it is.
import { serverApp } from '../app/server-app.js';
import { exitWithParent } from './exit-with-parent.js';

/** The part of Bun's global this launcher uses (the project does not install Bun's types). */
declare const Bun: {
  serve(options: {
    readonly hostname: string;
    readonly port: number;
    readonly fetch: (request: Request) => Promise<Response>;
  }): { readonly port: number };
  readonly env: Readonly<Record<string, string | undefined>>;
};

exitWithParent();
const app = serverApp(Bun.env);
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app.fetch });
console.log(`listening on http://127.0.0.1:${server.port}`);
