import { useSyncExternalStore } from 'react';

/** What the reader chose: the system's scheme, or light or dark whatever it says. */
export type ThemeChoice = 'system' | 'light' | 'dark';

/** The scheme the page is painted in. */
export type Theme = 'light' | 'dark';

/** The choices, in the order the switch shows them. */
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

const STORAGE_KEY = 'trpc-messages-demo:theme';
const darkScheme = matchMedia('(prefers-color-scheme: dark)');
const listeners = new Set<() => void>();

const isChoice = (value: unknown): value is ThemeChoice =>
  THEME_CHOICES.some((choice) => choice === value);

let choice: ThemeChoice = (() => {
  const saved = localStorage.getItem(STORAGE_KEY);
  return isChoice(saved) ? saved : 'system';
})();
let snapshot = read();

function read(): { readonly choice: ThemeChoice; readonly theme: Theme } {
  const theme = choice === 'system' ? (darkScheme.matches ? 'dark' : 'light') : choice;
  return { choice, theme };
}

// The stylesheet follows the system by itself (prefers-color-scheme); `data-theme` on <html>
// overrides it once the reader has chosen.
function apply(): void {
  snapshot = read();
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  for (const listener of listeners) listener();
}
apply();
darkScheme.addEventListener('change', apply);

/** Paints the page light, dark, or as the system says, and keeps the choice for the next visit. */
export function chooseTheme(next: ThemeChoice): void {
  choice = next;
  localStorage.setItem(STORAGE_KEY, next);
  apply();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** The reader's choice and the scheme it paints now; renders again when either changes. */
export function useTheme(): { readonly choice: ThemeChoice; readonly theme: Theme } {
  return useSyncExternalStore(subscribe, () => snapshot);
}
