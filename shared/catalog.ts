// A catalog is the app's messages by key, each a template in its source language with `{name}`
// placeholders (the ICU MessageFormat argument syntax, so i18next, set to `{` `}`, and FormatJS
// read the same templates). Declared once, imported by server and client: the server stores a
// key and its parameters, the client renders them in its locale, and the template in the
// catalog is the text for a client that cannot.

/** The app's message templates by key: `{ 'task.saved': 'Task "{title}" saved.' }`. */
export type Catalog = { readonly [key: string]: string };

/** The names of the `{placeholders}` in a template, as a union of literal types. */
export type ParamNames<Template extends string> =
  Template extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;

/** A parameter's value: what a template can show. */
export type ParamValue = string | number;

/** The parameters a template needs, by name. */
export type Params<Template extends string> = {
  readonly [Name in ParamNames<Template>]: ParamValue;
};

/** A message given by key, to be rendered in the reader's language. */
export interface Translation<Key extends string = string> {
  readonly key: Key;
  readonly params: { readonly [name: string]: ParamValue };
}

/** The arguments after the key: the parameters, required when the template has any. */
type ParamsArgument<Template extends string> = [ParamNames<Template>] extends [never]
  ? []
  : [params: Params<Template>];

/**
 * A catalog made with `defineCatalog`: call it with a key and its parameters to get the message
 * (`t('task.saved', { title })`), checked against the templates.
 */
export interface DefinedCatalog<Templates extends Catalog> {
  <Key extends keyof Templates & string>(
    key: Key,
    ...params: ParamsArgument<Templates[Key]>
  ): Translation<Key>;
  /** The templates, in the catalog's source language. */
  readonly templates: Templates;
}

/** The keys of a catalog made with `defineCatalog`. */
export type KeyOf<C> = C extends DefinedCatalog<infer Templates> ? keyof Templates & string : never;

const PLACEHOLDER = /\{([^{}]+)\}/g;

/**
 * Declares the app's messages by key, with their text in the source language. The result makes
 * messages for `ctx.messages.success(t('task.saved', { title }))`: a key the catalog lacks, or a
 * parameter missing or misnamed, is a type error.
 */
export function defineCatalog<const Templates extends Catalog>(
  templates: Templates,
): DefinedCatalog<Templates> {
  for (const [key, template] of Object.entries(templates)) {
    if (typeof template !== 'string') {
      throw new TypeError(`trpc-messages: the template of "${key}" must be a string`);
    }
  }
  const translate = (key: string, params: Translation['params'] = {}): Translation => ({
    key,
    params,
  });
  return Object.assign(translate, { templates }) as DefinedCatalog<Templates>;
}

/**
 * The same catalog in another language: every key, with the same placeholders (a missing key,
 * or a placeholder the source does not have or lacks, is a type error).
 */
export type TranslationsOf<C> =
  C extends DefinedCatalog<infer Templates> ? { readonly [Key in keyof Templates]: string } : never;

/** Checks, in the type system, that each translated template has its source's placeholders. */
type SamePlaceholders<Templates extends Catalog, Translated> = {
  readonly [Key in keyof Templates]: Key extends keyof Translated
    ? Translated[Key] extends string
      ? [ParamNames<Translated[Key]>] extends [ParamNames<Templates[Key]>]
        ? [ParamNames<Templates[Key]>] extends [ParamNames<Translated[Key]>]
          ? Translated[Key]
          : PlaceholdersOf<Templates[Key]>
        : PlaceholdersOf<Templates[Key]>
      : string
    : string;
};

// What a translation with the wrong placeholders is told it must be: an object type, so that
// the argument's type is not reduced to never (a string intersected with another string is).
type PlaceholdersOf<Template extends string> = {
  readonly 'a translation must have the placeholders of its source': ParamNames<Template>;
};

/**
 * The catalog's templates in another language, checked: `defineTranslations(t, { 'task.saved':
 * 'Tâche « {title} » enregistrée.' })`.
 */
export function defineTranslations<Templates extends Catalog, const Translated extends Catalog>(
  catalog: DefinedCatalog<Templates>,
  translated: Translated & NoInfer<SamePlaceholders<Templates, Translated>>,
): { readonly [Key in keyof Templates]: string } {
  for (const key of Object.keys(catalog.templates)) {
    if (typeof translated[key] !== 'string') {
      throw new TypeError(`trpc-messages: the translations lack "${key}"`);
    }
  }
  return translated as { readonly [Key in keyof Templates]: string };
}

/** What is wrong with a message given by key, and how to fix it. */
export interface TranslationProblem {
  /** 'shape': not a key and parameters at all; 'catalog': not a message of the catalog. */
  readonly kind: 'shape' | 'catalog';
  readonly what: string;
  readonly fix: string;
}

/** Whether `value` can be a parameter: a string, or a finite number (JSON keeps no other). */
export function isParamValue(value: unknown): value is ParamValue {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * `value` as a message given by key of `templates`, checked: the key is the catalog's and every
 * placeholder of its template has a string or finite number. Its parameters are those
 * placeholders' alone (what the template shows, and what a translation may use), copied. Else
 * what is wrong (`what` says whose key it is: 'a message', "an action's label").
 */
export function readTranslation(
  templates: Catalog | undefined,
  value: unknown,
  what = 'a message',
): Translation | TranslationProblem {
  const { key, params } = (value ?? {}) as Partial<Translation>;
  if (typeof key !== 'string' || typeof params !== 'object' || params === null) {
    return {
      kind: 'shape',
      what: `${what} must be a string or a key of the catalog, got ${describe(value)}`,
      fix: "pass a text, or t('key', params) of the catalog (defineCatalog)",
    };
  }
  if (templates === undefined) {
    return {
      kind: 'catalog',
      what: `"${key}" (${what}) is a key of a catalog, but createMessages was given no catalog`,
      fix: 'pass { catalog } to createMessages',
    };
  }
  if (!Object.hasOwn(templates, key)) {
    return {
      kind: 'catalog',
      what: `the catalog has no message "${key}" (${what})`,
      fix: 'add it to the catalog, or use one of its keys',
    };
  }
  const kept: Record<string, ParamValue> = {};
  for (const [placeholder, name] of (templates[key] as string).matchAll(PLACEHOLDER)) {
    const param = Object.hasOwn(params, name as string)
      ? (params as Record<string, unknown>)[name as string]
      : undefined;
    if (!isParamValue(param)) {
      return {
        kind: 'catalog',
        what: `the message "${key}" needs the parameter ${placeholder}, as a string or finite number`,
        fix: `pass it: t('${key}', { ${name}: … })`,
      };
    }
    kept[name as string] = param;
  }
  return { key, params: kept };
}

/** `value` as a message given by key of `templates` (see `readTranslation`); else a TypeError. */
export function checkTranslation(
  templates: Catalog | undefined,
  value: unknown,
  what = 'a message',
): Translation {
  const read = readTranslation(templates, value, what);
  if ('fix' in read) throw new TypeError(`trpc-messages: ${read.what}: ${read.fix}`);
  return read;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * Renders a template: each `{name}` becomes its parameter (numbers in the reader's locale when
 * `locale` is given); a placeholder with no parameter is left as it is.
 */
export function formatText(
  template: string,
  params: Translation['params'],
  locale?: string,
): string {
  return template.replace(PLACEHOLDER, (placeholder, name: string) => {
    if (!Object.hasOwn(params, name)) return placeholder;
    const value = params[name];
    return typeof value === 'number' && locale ? value.toLocaleString(locale) : String(value);
  });
}

/**
 * Renders messages given by key from `templates` (a catalog's, or its translations), in `locale`:
 * the Toaster's `translate={translator(fr, 'fr')}`. A key it lacks gives undefined, so the
 * server's text is shown instead.
 */
export function translator(
  templates: Catalog,
  locale?: string,
): (translation: Translation) => string | undefined {
  return ({ key, params }) =>
    Object.hasOwn(templates, key)
      ? formatText(templates[key] as string, params, locale)
      : undefined;
}
