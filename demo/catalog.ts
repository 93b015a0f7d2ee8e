import { defineCatalog } from 'trpc-messages';

/**
 * The demo's messages by key, in English: the server sends a key and its parameters, the page
 * renders them in the reader's language (src/locales/), and this text is the server's fallback.
 */
export const t = defineCatalog({
  'task.created': 'Task "{title}" created.',
  'task.stored': 'Task {id} stored; tasks on your board: {count}.',
  'task.completed': 'Task "{title}" completed.',
  'task.deleted': 'Task "{title}" deleted.',
  'task.restored': 'Task "{title}" restored.',
  'task.gone': 'That task no longer exists.',
  'task.titleMissing': 'A task needs a title.',
  'task.titleTooLong': 'A title has at most {max} characters.',
  'tasks.open': 'Open tasks: {count}.',
  'export.progress': 'Exporting your tasks: {percent}%…',
  'export.ready': 'Export ready: your tasks are saved.',
  'task.undo': 'Undo',
  'user.signedIn': 'Signed in as {name}: your tasks follow you to any browser.',
  'user.signedOut': 'Signed out.',
});
