import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  defineCatalog,
  defineTranslations,
  formatText,
  type KeyOf,
  type ParamNames,
  type Translation,
  translator,
} from '../../shared/catalog.js';

const t = defineCatalog({
  'task.saved': 'Task "{title}" saved.',
  'export.progress': 'Export {percent}% of {total}…',
  'all.done': 'All done.',
});

describe('defineCatalog', () => {
  it('makes a message from a key and its parameters', () => {
    expect(t('task.saved', { title: 'Docs' })).toEqual({
      key: 'task.saved',
      params: { title: 'Docs' },
    });
    expect(t('all.done')).toEqual({ key: 'all.done', params: {} });
    expect(t.templates['all.done']).toBe('All done.');
  });

  it('types keys and parameters from the templates', () => {
    expectTypeOf(t('task.saved', { title: 'x' })).toEqualTypeOf<Translation<'task.saved'>>();
    expectTypeOf<ParamNames<'Export {percent}% of {total}…'>>().toEqualTypeOf<
      'percent' | 'total'
    >();
    expectTypeOf<KeyOf<typeof t>>().toEqualTypeOf<'task.saved' | 'export.progress' | 'all.done'>();
    // @ts-expect-error a key the catalog does not have
    t('task.lost', { title: 'x' });
    // @ts-expect-error a parameter misnamed
    t('task.saved', { name: 'x' });
    // @ts-expect-error a parameter missing
    t('export.progress', { percent: 40 });
    // @ts-expect-error parameters the template does not have
    t('all.done', { title: 'x' });
    // @ts-expect-error a parameter that is not a string or number
    t('task.saved', { title: true });
  });

  it('refuses a template that is not a string', () => {
    expect(() => defineCatalog({ bad: 5 as never })).toThrow(/template of "bad" must be a string/);
  });
});

describe('defineTranslations', () => {
  it('takes the same keys with the same placeholders', () => {
    const fr = defineTranslations(t, {
      'task.saved': 'Tâche « {title} » enregistrée.',
      'export.progress': 'Export : {percent} % sur {total}…',
      'all.done': 'Terminé.',
    });
    expect(formatText(fr['task.saved'], { title: 'Docs' })).toBe('Tâche « Docs » enregistrée.');
  });

  it('does not compile, nor run, with a key or placeholder missing', () => {
    expect(() =>
      // @ts-expect-error 'all.done' is missing
      defineTranslations(t, {
        'task.saved': 'Tâche « {title} » enregistrée.',
        'export.progress': 'Export : {percent} % sur {total}…',
      }),
    ).toThrow(/lack "all.done"/);
    defineTranslations(t, {
      // @ts-expect-error {title} is missing
      'task.saved': 'Tâche enregistrée.',
      'export.progress': 'Export : {percent} % sur {total}…',
      'all.done': 'Terminé.',
    });
    defineTranslations(t, {
      'task.saved': 'Tâche « {title} » enregistrée.',
      // @ts-expect-error {count} is not a placeholder of the source
      'export.progress': 'Export : {percent} % sur {count}…',
      'all.done': 'Terminé.',
    });
  });
});

describe('formatText', () => {
  it('puts each parameter in its placeholder, numbers in the locale when given', () => {
    expect(formatText('Export {percent}% of {total}…', { percent: 40, total: 1200 })).toBe(
      'Export 40% of 1200…',
    );
    expect(formatText('{n} tâches', { n: 1200.5 }, 'fr-FR')).toBe('1\u202f200,5 tâches');
  });

  it('leaves a placeholder with no parameter as it is', () => {
    expect(formatText('Hello {name}, {other}', { name: 'Ada' })).toBe('Hello Ada, {other}');
  });

  it('never reads a parameter from the prototype', () => {
    expect(formatText('{constructor} {toString}', {})).toBe('{constructor} {toString}');
  });

  it('renders any parameter text as it is, placeholders in it included', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(formatText('<{v}>', { v: value })).toBe(`<${value}>`);
      }),
    );
  });
});

describe('translator', () => {
  it('renders a message from the templates, and gives undefined for a key they lack', () => {
    const fr = defineTranslations(t, {
      'task.saved': 'Tâche « {title} » enregistrée.',
      'export.progress': 'Export : {percent} % sur {total}…',
      'all.done': 'Terminé.',
    });
    const translate = translator(fr, 'fr-FR');
    expect(translate(t('export.progress', { percent: 40, total: 1200 }))).toBe(
      'Export : 40 % sur 1\u202f200…',
    );
    expect(translate({ key: 'gone', params: {} })).toBeUndefined();
    expect(translate({ key: 'toString', params: {} })).toBeUndefined();
  });
});
