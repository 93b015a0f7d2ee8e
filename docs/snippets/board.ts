// Preamble of the docs' fragments about a task board (see test/docs/snippets.test.ts): the app's
// own data, which the messages talk about.
// biome-ignore-all lint/correctness/noUnusedVariables: the names are for the blocks that follow

interface Task {
  readonly id: number;
  readonly title: string;
}
declare const board: {
  create(input: { title: string }): Task;
  remove(id: number): Task;
  restore(id: number): Task;
};
