import { useState } from 'react';
import { useText } from './i18n.js';
import { LogoIcon } from './icons.js';
import { page } from './locales/page.js';
import { Playground } from './Playground.js';
import { Settings } from './Settings.js';
import { SignIn } from './SignIn.js';
import { TaskForm } from './TaskForm.js';
import { TaskList } from './TaskList.js';

/** The demo's page: a task list whose every action answers with a message, shown as a toast. */
export function App() {
  const text = useText();
  const [title, setTitle] = useState('');
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">
          <LogoIcon />
          trpc-messages
        </span>
        <Settings />
      </header>
      <div className="page">
        <main>
          <h1>{text(page('app.title'))}</h1>
          <p className="lede">{text(page('app.lede'))}</p>
          <div className="card">
            <TaskForm title={title} onTitleChange={setTitle} />
            <TaskList />
          </div>
          <SignIn />
          <Playground title={title} />
        </main>
        <footer className="footer">{text(page('footer.text'))}</footer>
      </div>
    </div>
  );
}
