import { useId } from 'react';
import { chooseLanguage, LANGUAGES, useLanguage, useText } from './i18n.js';
import { page } from './locales/page.js';
import { chooseTheme, THEME_CHOICES, useTheme } from './theme.js';

/** One setting as a row of radio buttons that look like a segmented control. */
function Choice<Value extends string>(props: {
  readonly legend: string;
  readonly options: readonly {
    readonly value: Value;
    readonly label: string;
    readonly lang?: string;
  }[];
  readonly value: Value;
  readonly onChange: (value: Value) => void;
}) {
  const name = useId();
  return (
    <fieldset className="segmented">
      <legend>{props.legend}</legend>
      {props.options.map((option) => (
        <label key={option.value} lang={option.lang}>
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={props.value === option.value}
            onChange={() => props.onChange(option.value)}
          />
          <span>{option.label}</span>
        </label>
      ))}
    </fieldset>
  );
}

// Each language's name is written, and read aloud, in that language.
const languages = LANGUAGES.map(({ code, name }) => ({ value: code, label: name, lang: code }));

/** The page's settings: its language and its colour scheme, each kept for the next visit. */
export function Settings() {
  const text = useText();
  const language = useLanguage();
  const { choice } = useTheme();
  return (
    <section className="settings" aria-label={text(page('settings.label'))}>
      <Choice
        legend={text(page('settings.language'))}
        options={languages}
        value={language}
        onChange={chooseLanguage}
      />
      <Choice
        legend={text(page('settings.theme'))}
        options={THEME_CHOICES.map((value) => ({ value, label: text(page(`theme.${value}`)) }))}
        value={choice}
        onChange={chooseTheme}
      />
    </section>
  );
}
