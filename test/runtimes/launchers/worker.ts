// The app as a Cloudflare module worker, made at module scope as a user writes it. A worker's
// settings are bindings, not environment variables: `env` from 'cloudflare:workers' has them at
// module scope with or without nodejs_compat (process.env has them only with nodejs_compat and
// a compatibility date from 2025-04-01), so the secret is passed as { secret }.
import { env } from 'cloudflare:workers';
import { createFetchApp } from '../app/fetch-app.js';
import { portableStorage, portableStorages } from '../app/storages.js';

const storage = portableStorages.find((name) => name === env.MESSAGES_STORAGE);
if (!storage) throw new Error(`worker: no storage '${env.MESSAGES_STORAGE}' on workerd`);
const app = createFetchApp(portableStorage(storage, env.MESSAGES_SECRET));

export default {
  fetch: (request: Request): Promise<Response> => app.fetch(request),
};
