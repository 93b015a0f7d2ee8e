import { type FormEvent, useId, useState } from 'react';
import { FIVE_TASKS } from './five-tasks.js';
import { debugMessages, reloadOnAnswer, trpc } from './trpc.js';

/** The task list: every action answers with a message, shown by the Toaster. */
export function App() {
  const utils = trpc.useUtils();
  const tasks = trpc.tasks.useQuery();
  const refresh = { onSettled: () => utils.tasks.invalidate() };
  const create = trpc.create.useMutation(refresh);
  const complete = trpc.complete.useMutation(refresh);
  const remove = trpc.remove.useMutation(refresh);
  const remind = trpc.remind.useMutation();
  const slowJob = trpc.slowJob.useMutation();
  const [title, setTitle] = useState('');
  const [debug, setDebug] = useState(false);
  const titleId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Invalid titles go to the server too: its validation answers with an error message.
    create.mutate({ title }, { onSuccess: () => setTitle('') });
  };

  // The page reloads as the save's answer arrives, before reading it, as when a user leaves
  // while a save is on its way: the message still shows, once, on the page that loads next.
  const saveAndReload = () => {
    reloadOnAnswer.on = true;
    create.mutate({ title: title || 'Saved before a reload' });
  };

  return (
    <main>
      <h1>Tasks</h1>
      <p className="lede">
        Every action answers with a one-time message from the server:{' '}
        <code>ctx.messages.success(…)</code> in the procedure, a toast here.
      </p>

      <form onSubmit={submit} className="new-task">
        <label htmlFor={titleId}>New task</label>
        <input
          id={titleId}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          placeholder="What needs doing?"
          autoComplete="off"
        />
        <button type="submit">Add task</button>
      </form>

      <section aria-label="Task list">
        {tasks.data?.length ? (
          <ul className="tasks">
            {tasks.data.map((task) => (
              <li key={task.id} className={task.done ? 'done' : undefined}>
                <span className="title">{task.title}</span>
                <button
                  type="button"
                  disabled={task.done}
                  onClick={() => complete.mutate({ id: task.id })}
                >
                  Complete<span className="visually-hidden"> {task.title}</span>
                </button>
                <button type="button" onClick={() => remove.mutate({ id: task.id })}>
                  Delete<span className="visually-hidden"> {task.title}</span>
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="empty">No tasks yet.</p>
        )}
      </section>

      <section aria-label="More messages" className="actions">
        <button
          type="button"
          onClick={() => {
            for (const t of FIVE_TASKS) create.mutate({ title: t });
          }}
        >
          Add five at once
        </button>
        <button type="button" onClick={() => remind.mutate()}>
          Remind me (custom level)
        </button>
        <button type="button" onClick={() => slowJob.mutate()}>
          Start slow job
        </button>
        <button type="button" onClick={saveAndReload}>
          Save and reload
        </button>
        <label className="switch">
          <input
            type="checkbox"
            checked={debug}
            onChange={(event) => {
              debugMessages.on = event.target.checked;
              setDebug(event.target.checked);
            }}
          />
          Show debug messages
        </label>
      </section>
    </main>
  );
}
