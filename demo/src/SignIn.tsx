import { type FormEvent, useId, useState } from 'react';
import { MAX_NAME_LENGTH } from '../user.js';
import { useText } from './i18n.js';
import { page } from './locales/page.js';
import { trpc } from './trpc.js';

/**
 * Signing in and out, with a name alone: the server rotates the messages session each time
 * (`ctx.messages.rotateSession`), and a signed-in user's tasks and messages follow them.
 */
export function SignIn() {
  const text = useText();
  const utils = trpc.useUtils();
  const user = trpc.user.useQuery();
  const refresh = { onSuccess: () => void utils.user.invalidate() };
  const signIn = trpc.signIn.useMutation(refresh);
  const signOut = trpc.signOut.useMutation(refresh);
  const [name, setName] = useState('');
  const fieldId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ name: name || 'Ada' });
  };

  return (
    <section className="account" aria-labelledby="account-heading">
      <h2 id="account-heading">{text(page('user.heading'))}</h2>
      {user.data ? (
        <div className="field-row">
          <p className="signed-in">{text(page('user.signedInAs', { name: user.data }))}</p>
          <button type="button" onClick={() => signOut.mutate()}>
            {text(page('user.signOut'))}
          </button>
        </div>
      ) : (
        <form onSubmit={submit} className="field-row">
          <label htmlFor={fieldId} className="visually-hidden">
            {text(page('user.name'))}
          </label>
          <input
            id={fieldId}
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="Ada"
            autoComplete="off"
            maxLength={MAX_NAME_LENGTH}
          />
          <button type="submit">{text(page('user.signIn'))}</button>
        </form>
      )}
      <p className="hint">{text(page('user.hint'))}</p>
    </section>
  );
}
