// An action's label is plain text, which the Toaster shows as it is (its `translate` renders a
// message's text): the server writes it in the page's language, told by Accept-Language.
const LABELS = { en: 'Undo', fr: 'Annuler' } as const;

/** The Undo button's label in the language a request asks for (English unless it is French). */
export function undoLabel(acceptLanguage: string | undefined): string {
  return acceptLanguage?.trim().toLowerCase().startsWith('fr') ? LABELS.fr : LABELS.en;
}
