import i18next from 'i18next';
import { useCallback, useSyncExternalStore } from 'react';
import type { Translation } from 'trpc-messages';
import { t } from '../catalog.js';
import { messagesFr, pageFr } from './locales/fr.js';
import { page } from './locales/page.js';

/** The languages the page speaks, each named in itself (for the language switch). */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'fr', name: 'Français' },
] as const;

/** A language the page speaks. */
export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'trpc-messages-demo:language';

const isLanguage = (value: unknown): value is Language =>
  LANGUAGES.some((language) => language.code === value);

/** The reader's language: the one they chose here before, else their browser's, else English. */
function initialLanguage(): Language {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (isLanguage(saved)) return saved;
  const browser = navigator.language.slice(0, 2);
  return isLanguage(browser) ? browser : 'en';
}

// One i18next for the page's texts (`page`) and the server's messages (`messages`), both read
// from catalogs whose templates use `{name}` placeholders: i18next is told so. Keys hold dots
// ('task.created') that are not paths into nested objects.
const i18n = i18next.createInstance();
void i18n.init({
  lng: initialLanguage(),
  fallbackLng: 'en',
  resources: {
    en: { messages: t.templates, page: page.templates },
    fr: { messages: messagesFr, page: pageFr },
  },
  ns: ['page', 'messages'],
  defaultNS: 'page',
  keySeparator: false,
  nsSeparator: false,
  // React escapes what it renders; the resources are inline, so init is synchronous.
  interpolation: { prefix: '{', suffix: '}', escapeValue: false },
  initAsync: false,
});

/** Renders one of a namespace's texts in the current language; undefined if it has none. */
function render(namespace: 'page' | 'messages', translation: Translation): string | undefined {
  if (!i18n.exists(translation.key, { ns: namespace })) return undefined;
  return i18n.t(translation.key, { ns: namespace, replace: translation.params });
}

/** Switches the page's language and keeps the choice for the next visit. */
export function chooseLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
  void i18n.changeLanguage(language);
}

const subscribe = (onChange: () => void) => {
  i18n.on('languageChanged', onChange);
  return () => i18n.off('languageChanged', onChange);
};

/** The page's language now. */
export function pageLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'en';
}

/** The page's language now; the component renders again when it changes. */
export function useLanguage(): Language {
  return useSyncExternalStore(subscribe, pageLanguage);
}

/**
 * Renders the texts of a namespace in the page's language (undefined for a key it lacks): a new
 * function when the language changes, so what renders with it (the Toaster's toasts on screen,
 * given it as `translate`) renders again.
 */
export function useTranslate(
  namespace: 'page' | 'messages',
): (translation: Translation) => string | undefined {
  const language = useLanguage();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new function for each language.
  return useCallback((translation) => render(namespace, translation), [namespace, language]);
}

/** Renders the page's own texts (`text(page('form.label'))`) in the page's language. */
export function useText(): (translation: Translation) => string {
  const translate = useTranslate('page');
  return (translation) => translate(translation) ?? translation.key;
}

/** Keeps `<html lang>` and the tab's title in the page's language. */
export function followLanguageInDocument(): void {
  const apply = () => {
    document.documentElement.lang = pageLanguage();
    document.title = `${render('page', page('app.title'))} · trpc-messages demo`;
  };
  apply();
  i18n.on('languageChanged', apply);
}
