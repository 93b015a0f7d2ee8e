import type { MessageStorage } from './backend.js';

import { ServerBackend } from './server-backend.js';
import { ServerSessions, type ServerStorageOptions } from './server-sessions.js';

export type { ServerStorageOptions } from './server-sessions.js';

/**
 * Keeps messages on the server, keyed by a random session id in a signed HttpOnly cookie that is
 * set only when a first message is stored. The embedded default (with a `MemoryStore`).
 */
export function serverStorage(options: ServerStorageOptions = {}): MessageStorage {
  const sessions = new ServerSessions(options);
  return {
    store: sessions.store,
    open: (exchange, options) => new ServerBackend(sessions, exchange, options),
  };
}
