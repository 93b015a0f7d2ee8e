/** A task on a visitor's board, as the server keeps it and the page shows it. */
export interface Task {
  readonly id: number;
  readonly title: string;
  readonly done: boolean;
}

/** The longest task title, in characters: checked by the server, counted down by the page. */
export const MAX_TITLE_LENGTH = 80;
