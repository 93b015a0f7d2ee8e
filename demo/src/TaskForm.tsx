import { type FormEvent, useId } from 'react';
import { MAX_TITLE_LENGTH } from '../task.js';
import { useText } from './i18n.js';
import { PlusIcon } from './icons.js';
import { page } from './locales/page.js';
import { trpc } from './trpc.js';

/** From this many characters on, the counter warns that the limit is near. */
const NEAR_LIMIT = MAX_TITLE_LENGTH - 10;

/** The new-task field (its text held by the page): the title's length counted against its limit. */
export function TaskForm(props: {
  readonly title: string;
  readonly onTitleChange: (title: string) => void;
}) {
  const { title, onTitleChange: setTitle } = props;
  const text = useText();
  const create = trpc.create.useMutation();
  const fieldId = useId();
  const countId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Invalid titles go to the server too: its validation answers with an error message.
    create.mutate({ title }, { onSuccess: () => setTitle('') });
  };

  const count = { count: title.length, max: MAX_TITLE_LENGTH };
  return (
    <form onSubmit={submit} className="new-task">
      <label htmlFor={fieldId}>{text(page('form.label'))}</label>
      <div className="field-row">
        <input
          id={fieldId}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          placeholder={text(page('form.placeholder'))}
          autoComplete="off"
          maxLength={MAX_TITLE_LENGTH}
          aria-describedby={countId}
        />
        <button type="submit" className="primary">
          <PlusIcon />
          {text(page('form.submit'))}
        </button>
      </div>
      <p id={countId} className="counter" data-near-limit={title.length >= NEAR_LIMIT || undefined}>
        <span aria-hidden="true">{text(page('form.count', count))}</span>
        <span className="visually-hidden">{text(page('form.countSpoken', count))}</span>
      </p>
    </form>
  );
}
