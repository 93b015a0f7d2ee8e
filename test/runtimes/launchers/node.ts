// The app on Node: @hono/node-server serves its fetch handler on node:http.
import { serve } from '@hono/node-server';
import { serverApp } from '../app/server-app.js';
import { exitWithParent } from './exit-with-parent.js';

exitWithParent();
const app = serverApp(process.env);
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, ({ port }) => {
  console.log(`listening on http://127.0.0.1:${port}`);
});
