/** A task on the demo's board. */
export interface Task {
  readonly id: number;
  readonly title: string;
  readonly done: boolean;
}

// The demo keeps one board in memory for everyone; it holds this many tasks at most.
const MAX_TASKS = 50;

/** The demo's tasks, in memory: newest first, the oldest forgotten past MAX_TASKS. */
export class TaskBoard {
  #tasks: Task[] = [];
  #nextId = 1;

  list(): readonly Task[] {
    return this.#tasks;
  }

  get size(): number {
    return this.#tasks.length;
  }

  get openCount(): number {
    return this.#tasks.filter((task) => !task.done).length;
  }

  add(title: string): Task {
    const task = { id: this.#nextId++, title, done: false };
    this.#tasks = [task, ...this.#tasks].slice(0, MAX_TASKS);
    return task;
  }

  complete(id: number): Task | undefined {
    const task = this.#tasks.find((t) => t.id === id);
    if (!task) return undefined;
    const done = { ...task, done: true };
    this.#tasks = this.#tasks.map((t) => (t.id === id ? done : t));
    return done;
  }

  remove(id: number): Task | undefined {
    const task = this.#tasks.find((t) => t.id === id);
    this.#tasks = this.#tasks.filter((t) => t.id !== id);
    return task;
  }
}
