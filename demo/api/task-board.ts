import type { Task } from '../task.js';

// One visitor's board holds this many tasks at most, and remembers this many deleted ones for
// Undo: the demo keeps everything in memory, so every list is bounded.
const MAX_TASKS = 50;
const MAX_DELETED = 20;

/** A deleted task and where it stood, until it is restored or forgotten. */
interface Deleted {
  readonly task: Task;
  readonly index: number;
}

/** One visitor's tasks, in memory: newest first, the oldest forgotten past MAX_TASKS. */
export class TaskBoard {
  #tasks: Task[] = [];
  #deleted = new Map<number, Deleted>();
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

  /** Removes a task; it can be restored until MAX_DELETED others have been deleted after it. */
  remove(id: number): Task | undefined {
    const index = this.#tasks.findIndex((t) => t.id === id);
    const task = this.#tasks[index];
    if (!task) return undefined;
    this.#tasks = this.#tasks.filter((t) => t.id !== id);
    this.#deleted.set(id, { task, index });
    for (const oldest of this.#deleted.keys()) {
      if (this.#deleted.size <= MAX_DELETED) break;
      this.#deleted.delete(oldest);
    }
    return task;
  }

  /** Puts a deleted task back where it stood; undefined when it is not (or no longer) deleted. */
  restore(id: number): Task | undefined {
    const deleted = this.#deleted.get(id);
    if (!deleted) return undefined;
    this.#deleted.delete(id);
    const tasks = [...this.#tasks];
    tasks.splice(deleted.index, 0, deleted.task);
    this.#tasks = tasks.slice(0, MAX_TASKS);
    return deleted.task;
  }
}
