import { Notice } from '../reports/notice.js';
/** What was wrong with what `add` (or `level =`) was given. */
export type MessageProblem =
  /** A level, or a minimum level, that is not a safe integer. */
  | 'level'
  /** A text that is neither a string nor a message of the catalog. */
  | 'text'
  /** A key the catalog lacks, a parameter missing, or no catalog at all. */
  | 'catalog'
  /** An update key that is not a string of 1 to 128 characters. */
  | 'key'
  /** Extra tags that are not a string. */
  | 'extra-tags'
  /** An action not made by the kit's `actions()`. */
  | 'action'
  /** Over `maxMessageBytes`. */
  | 'size';

/** What was done about it: the input was shortened, or part of it (or all of it) left out. */
export type MessageOutcome =
  /** The text, or the longest parameters, cut to fit, ending with an ellipsis. */
  | 'truncated'
  /** The message kept without its action. */
  | 'action-dropped'
  /** The message not stored. */
  | 'dropped'
  /** A minimum level left as it was. */
  | 'ignored';

const done: Record<MessageOutcome, string> = {
  truncated: 'it was truncated to fit',
  'action-dropped': 'the message was kept without its action',
  dropped: 'the message was dropped',
  ignored: 'the minimum level was left as it was',
};

/**
 * A message's input was wrong, and changed or left out rather than failing the caller's work:
 * `problem` says what was wrong, `outcome` what was done, and the message how to fix it. Reported
 * to `onError` (the kit's, with the call's path); never thrown.
 */
export class MessageInputError extends Notice {
  readonly problem: MessageProblem;
  readonly outcome: MessageOutcome;

  /** `what` says what was wrong and `fix` what to do, each as a clause: "… got 2.5". */
  constructor(problem: MessageProblem, outcome: MessageOutcome, what: string, fix: string) {
    super(`trpc-messages: ${what}; ${done[outcome]}; ${fix}`);
    this.name = 'MessageInputError';
    this.problem = problem;
    this.outcome = outcome;
  }
}

// Where the kit's own files are, for the call site of a warning: the first frame of a stack
// outside them is the app's. The folder above this module's (server/), read from its URL as a
// string: `new URL('..', import.meta.url)` is an asset that bundlers would try to resolve. A
// bundle that puts the app and the kit in one file, or a runtime with no URL, gives no site.
let kitFiles: string | undefined;
const FRAME_FILE = /\(?((?:file|https?):\/\/[^()]+|\/[^()]+):\d+:\d+\)?$/;
const warned = new Set<string>();
const MOST_WARNINGS = 100;

/**
 * Warns on the console about `error` once per problem and call site (the first frame of its stack
 * outside the kit): in development, so a mistake is seen even where `onError` sends reports
 * elsewhere, and never many times over.
 */
export function warnOnce(error: MessageInputError): void {
  const site = callSite(error.stack ?? '');
  const cause = `${error.problem} ${error.outcome} ${site}`;
  if (warned.has(cause) || warned.size >= MOST_WARNINGS) return;
  warned.add(cause);
  console.warn(
    `${error.message}${site ? ` (at ${site})` : ''}. Shown once per cause and call site, in ` +
      'development; onError is told of each.',
  );
}

/** The first frame of `stack` outside the kit's files, as the stack names it; '' for none. */
function callSite(stack: string): string {
  kitFiles ??= folderAbove(String(import.meta.url ?? ''));
  for (const line of stack.split('\n').slice(1)) {
    const file = FRAME_FILE.exec(line.trim())?.[1];
    if (file === undefined) continue;
    const url = file.startsWith('/') ? `file://${file}` : file;
    if (!url.startsWith(kitFiles)) return line.trim().replace(/^at /, '');
  }
  return '';
}

/** The URL of the folder above the one `url` is in, with its last slash; '' for none. */
function folderAbove(url: string): string {
  const end = url.lastIndexOf('/', url.lastIndexOf('/') - 1);
  return end < 0 ? '' : url.slice(0, end + 1);
}
