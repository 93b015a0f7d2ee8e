import { useEffect, useRef } from 'react';
import { useText } from './i18n.js';
import { CheckIcon, TrashIcon } from './icons.js';
import { page } from './locales/page.js';
import { trpc } from './trpc.js';

/** The visitor's tasks, each with Complete and Delete (whose toast offers Undo). */
export function TaskList() {
  const text = useText();
  const tasks = trpc.tasks.useQuery();
  const complete = trpc.complete.useMutation();
  const remove = trpc.remove.useMutation();
  const list = useRef<HTMLUListElement>(null);
  // The task just deleted, and where its row stood: once its row has gone, focus (which fell
  // with the row's button) goes to the row that took its place, or to the new-task field.
  const deleted = useRef<{ readonly id: number; readonly index: number } | undefined>(undefined);

  const rows = tasks.data ?? [];
  useEffect(() => {
    const pending = deleted.current;
    if (!pending || rows.some((task) => task.id === pending.id)) return;
    deleted.current = undefined;
    // The reader has moved on (to the toast's Undo, say): leave focus where they put it.
    if (document.activeElement && document.activeElement !== document.body) return;
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button.delete') ?? [])];
    const next = buttons[Math.min(pending.index, buttons.length - 1)];
    (next ?? document.querySelector<HTMLInputElement>('.new-task input'))?.focus();
  }, [rows]);

  const label = text(page('list.label'));
  // Busy until the first answer: "no tasks yet" is said only of a board the server has listed.
  if (rows.length === 0) {
    return (
      <section aria-label={label} aria-busy={tasks.isPending} className="task-list">
        {!tasks.isPending && <p className="empty">{text(page('list.empty'))}</p>}
      </section>
    );
  }
  return (
    <section aria-label={label} aria-busy="false" className="task-list">
      <ul className="tasks" ref={list}>
        {rows.map((task, index) => (
          <li key={task.id} className={task.done ? 'done' : undefined}>
            <span className="title">{task.title}</span>
            {task.done ? (
              <span className="badge">{text(page('list.done'))}</span>
            ) : (
              <button
                type="button"
                className="ghost"
                onClick={() => complete.mutate({ id: task.id })}
              >
                <CheckIcon />
                {text(page('list.complete'))}
                <span className="visually-hidden"> {task.title}</span>
              </button>
            )}
            <button
              type="button"
              className="ghost delete"
              onClick={() => {
                deleted.current = { id: task.id, index };
                remove.mutate({ id: task.id });
              }}
            >
              <TrashIcon />
              {text(page('list.delete'))}
              <span className="visually-hidden"> {task.title}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
