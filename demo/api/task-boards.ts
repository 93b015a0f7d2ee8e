import { type Recipient, recipientKey } from 'trpc-messages/server';
import { TaskBoard } from './task-board.js';

/** How many visitors' boards the demo keeps in memory before it forgets the least recent. */
export const MAX_BOARDS = 1000;

/**
 * Every visitor's board, keyed by whom their messages are for (their session): a newcomer
 * starts with an empty board and never sees another visitor's tasks. Bounded: past `maxBoards`
 * the board used least recently is forgotten (a Map keeps insertion order; a board moves to the
 * end each time it is used).
 */
export class TaskBoards {
  readonly #boards = new Map<string, TaskBoard>();
  readonly #maxBoards: number;

  constructor(maxBoards = MAX_BOARDS) {
    this.#maxBoards = maxBoards;
  }

  /** The recipient's board, made empty on their first visit. */
  of(recipient: Recipient): TaskBoard {
    const key = recipientKey(recipient);
    const board = this.#boards.get(key) ?? new TaskBoard();
    this.#boards.delete(key);
    this.#boards.set(key, board);
    for (const leastRecent of this.#boards.keys()) {
      if (this.#boards.size <= this.#maxBoards) break;
      this.#boards.delete(leastRecent);
    }
    return board;
  }

  /** Gives `to` the board of `from`, unless it has one of its own (a user signed in before). */
  adopt(from: Recipient, to: Recipient): void {
    const board = this.#boards.get(recipientKey(from));
    if (board === undefined || this.#boards.has(recipientKey(to))) return;
    this.#boards.delete(recipientKey(from));
    this.#boards.set(recipientKey(to), board);
  }

  /** How many boards are kept now. */
  get size(): number {
    return this.#boards.size;
  }
}
