import { useState } from 'react';
import { FIVE_TASKS } from './five-tasks.js';
import { useText } from './i18n.js';
import { page } from './locales/page.js';
import { debugMessages, reloadOnAnswer, trpc } from './trpc.js';

/** The demo's other messages, one button each, with what it shows; `title` is the field's text. */
export function Playground({ title }: { readonly title: string }) {
  const text = useText();
  const create = trpc.create.useMutation();
  const remind = trpc.remind.useMutation();
  const exportTasks = trpc.exportTasks.useMutation();
  const [debug, setDebug] = useState(false);

  // The page reloads as the save's answer arrives, before reading it, as when a user leaves
  // while a save is on its way: the message still shows, once, on the page that loads next.
  const saveAndReload = () => {
    reloadOnAnswer.on = true;
    create.mutate({ title: title || 'Saved before a reload' });
  };

  const tries = [
    {
      label: text(page('try.five')),
      hint: text(page('try.fiveHint')),
      run: () => {
        for (const title of FIVE_TASKS) create.mutate({ title });
      },
    },
    {
      label: text(page('try.remind')),
      hint: text(page('try.remindHint')),
      run: () => remind.mutate(),
    },
    {
      label: text(page('try.export')),
      hint: text(page('try.exportHint')),
      run: () => exportTasks.mutate(),
    },
    { label: text(page('try.reload')), hint: text(page('try.reloadHint')), run: saveAndReload },
  ];
  return (
    <section className="playground" aria-labelledby="playground-heading">
      <h2 id="playground-heading">{text(page('try.heading'))}</h2>
      <ul className="tries">
        {tries.map((entry) => (
          <li key={entry.label} className="try">
            <button type="button" onClick={entry.run}>
              {entry.label}
            </button>
            <span className="hint">{entry.hint}</span>
          </li>
        ))}
        <li className="try">
          <label className="switch">
            <input
              type="checkbox"
              checked={debug}
              onChange={(event) => {
                debugMessages.on = event.target.checked;
                setDebug(event.target.checked);
              }}
            />
            {text(page('try.debug'))}
          </label>
          <span className="hint">{text(page('try.debugHint'))}</span>
        </li>
      </ul>
      <p className="tips">
        {text(page('try.undoHint'))} {text(page('try.errorHint'))}
      </p>
    </section>
  );
}
