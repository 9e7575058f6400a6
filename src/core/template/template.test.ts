import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import {
  type CompiledTemplate,
  compileTemplate,
  isKnownVariable,
  previewTemplate,
  SAMPLE_DATA,
  STANDARD_VARIABLES,
  type TemplateErrorCode,
  validateVariables,
} from './index.js';

function compiled(body: string): CompiledTemplate {
  const result = compileTemplate(body);
  if (!result.ok)
    throw new Error(`expected ${JSON.stringify(body)} to compile: ${result.errors[0]?.message}`);
  return result.template;
}

function errorsOf(body: string) {
  const result = compileTemplate(body);
  if (result.ok) throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
  return result.errors;
}

describe('compileTemplate', () => {
  describe('accepted templates', () => {
    it('renders dotted variables between plain text', () => {
      const template = compiled('Dear {{contact.first_name}}, invoice {{document.number}} is due.');
      expect(template.render({ contact: { first_name: 'Anna' }, document: { number: 'INV-1' } })).toBe(
        'Dear Anna, invoice INV-1 is due.',
      );
    });

    it('lists the variables used, each once, in order of first use', () => {
      const result = compileTemplate('{{b.x}} {{a.y}} {{b.x}} {{c}} {{a.y}}');
      expect(result).toMatchObject({ ok: true, variables: ['b.x', 'a.y', 'c'] });
    });

    it('lists no variables for plain text and renders it unchanged', () => {
      const result = compileTemplate('Our office is closed today. 50% off: {x} [y] <b>&amp;</b>');
      expect(result).toMatchObject({ ok: true, variables: [] });
      expect(compiled('Our office is closed today. <b>&amp;</b> {x}').render({})).toBe(
        'Our office is closed today. <b>&amp;</b> {x}',
      );
    });

    it('renders the same template many times with different data', () => {
      const template = compiled('Hi {{contact.first_name}}');
      expect(template.render({ contact: { first_name: 'Anna' } })).toBe('Hi Anna');
      expect(template.render({ contact: { first_name: 'Ben' } })).toBe('Hi Ben');
      expect(template.render({})).toBe('Hi ');
    });

    it('accepts attribute keys with digits, underscores and hyphens', () => {
      const template = compiled('{{contact.attributes.customer-no}}/{{contact.attributes.vat_id2}}');
      const data = { contact: { attributes: { 'customer-no': 'C-1', vat_id2: 'DE1' } } };
      expect(template.render(data)).toBe('C-1/DE1');
    });

    it('renders a comment as nothing and reports no variable for it', () => {
      const result = compileTemplate('A{{! note for editors }}B{{!-- {{contact.name}} --}}C');
      expect(result).toMatchObject({ ok: true, variables: [] });
      expect(compiled('A{{! note }}B{{!-- {{x}} --}}C').render({ x: 'X' })).toBe('ABC');
    });

    it('renders escaped braces literally', () => {
      const result = compileTemplate('Write \\{{contact.name}} to insert the name');
      expect(result).toMatchObject({ ok: true, variables: [] });
      expect(compiled('Write \\{{contact.name}}').render({ contact: { name: 'A' } })).toBe(
        'Write {{contact.name}}',
      );
    });

    it.each([
      ['a {{~x~}} b\n'],
      ['a\n{{! standalone comment }}\n\nb {{x}}'],
      ['  {{!-- c --}}  \nline {{x}}\n'],
      ['{{x}}\n{{x}}\n'],
      ['Hi {{ x }}'],
    ])('handles whitespace in %j exactly as Handlebars does', (body) => {
      const reference = Handlebars.create().compile(body, { noEscape: true })({ x: 'X' });
      expect(compiled(body).render({ x: 'X' })).toBe(reference);
    });
  });

  describe('values', () => {
    const render = (value: unknown) => compiled('[{{v.x}}]').render({ v: { x: value } });

    it('inserts strings unchanged, without HTML escaping', () => {
      expect(render(`Smith & Sons <"O'Neil">`)).toBe(`[Smith & Sons <"O'Neil">]`);
    });

    it('inserts a value that looks like a template literally, without evaluating it', () => {
      const template = compiled('Hi {{contact.first_name}}, ref {{contact.last_name}}');
      const data = {
        contact: { first_name: '{{contact.last_name}}', last_name: '{{#each x}}{{/each}} {{> p}}' },
      };
      expect(template.render(data)).toBe('Hi {{contact.last_name}}, ref {{#each x}}{{/each}} {{> p}}');
    });

    it('stringifies numbers, bigints and booleans', () => {
      expect(render(42)).toBe('[42]');
      expect(render(0)).toBe('[0]');
      expect(render(-1.5)).toBe('[-1.5]');
      expect(render(12345678901234567890n)).toBe('[12345678901234567890]');
      expect(render(true)).toBe('[true]');
      expect(render(false)).toBe('[false]');
    });

    it('renders missing, null, undefined and non-finite numbers as empty', () => {
      expect(compiled('[{{v.missing}}][{{w.x}}]').render({ v: {} })).toBe('[][]');
      expect(render(null)).toBe('[]');
      expect(render(undefined)).toBe('[]');
      expect(render(Number.NaN)).toBe('[]');
      expect(render(Number.POSITIVE_INFINITY)).toBe('[]');
    });

    it('renders objects, arrays, dates, functions and symbols as empty', () => {
      expect(render({ a: 1 })).toBe('[]');
      expect(render([1, 2])).toBe('[]');
      expect(render(new Date(0))).toBe('[]');
      expect(render(() => 'called')).toBe('[]');
      expect(render(Symbol('s'))).toBe('[]');
    });

    it('renders a group as empty even where its members are used too', () => {
      const template = compiled('[{{contact}}] {{contact.name}}');
      expect(template.render({ contact: { name: 'Anna' } })).toBe('[] Anna');
    });

    it('does not descend into arrays', () => {
      expect(compiled('[{{list.length}}]').render({ list: [1, 2, 3] })).toBe('[]');
    });

    it('reads own properties only, never the prototype chain', () => {
      const inherited = Object.create({ secret: 'from prototype' }) as Record<string, unknown>;
      expect(compiled('[{{v.secret}}]').render({ v: inherited })).toBe('[]');
      expect(compiled('[{{v.constructor}}][{{v.__proto__}}][{{v.toString}}]').render({ v: {} })).toBe(
        '[][][]',
      );
      expect(compiled('[{{constructor.name}}]').render({})).toBe('[]');
    });

    it('does not call a function found on the way to the value', () => {
      let called = false;
      const getterFree = {
        contact: () => {
          called = true;
          return { name: 'x' };
        },
      };
      expect(compiled('[{{contact.name}}]').render(getterFree)).toBe('[]');
      expect(called).toBe(false);
    });
  });

  describe('sandbox', () => {
    it('treats names of the built-in helpers as plain variables', () => {
      const body =
        '{{if}} {{each}} {{unless}} {{with}} {{log}} {{lookup}} {{helperMissing}} {{blockHelperMissing}}';
      const data = {
        if: 'a',
        each: 'b',
        unless: 'c',
        with: 'd',
        log: 'e',
        lookup: 'f',
        helperMissing: 'g',
        blockHelperMissing: 'h',
      };
      expect(compiled(body).render(data)).toBe('a b c d e f g h');
    });

    it('ignores helpers registered on the global Handlebars', () => {
      Handlebars.registerHelper('shout', () => 'HELPER RAN');
      try {
        expect(compiled('[{{shout}}]').render({})).toBe('[]');
        expect(errorsOf('{{shout contact.name}}')[0]?.code).toBe('template.helper');
      } finally {
        Handlebars.unregisterHelper('shout');
      }
    });
  });

  describe('rejected constructs', () => {
    it.each<[string, string, TemplateErrorCode]>([
      ['if block', '{{#if contact.name}}x{{/if}}', 'template.block'],
      ['each block', '{{#each items}}{{name}}{{/each}}', 'template.block'],
      ['inverse block', '{{^contact.name}}none{{/contact.name}}', 'template.block'],
      ['with block', '{{#with contact}}{{name}}{{/with}}', 'template.block'],
      ['raw block', '{{{{raw}}}}{{x}}{{{{/raw}}}}', 'template.block'],
      ['partial', '{{> footer}}', 'template.partial'],
      ['partial block', '{{#> layout}}x{{/layout}}', 'template.partial'],
      ['inline partial', '{{#*inline "p"}}x{{/inline}}', 'template.decorator'],
      ['decorator', '{{* deco}}', 'template.decorator'],
      ['helper with argument', '{{uppercase contact.name}}', 'template.helper'],
      ['helper with hash', '{{format contact.name style="x"}}', 'template.helper'],
      ['lookup helper', '{{lookup contact "name"}}', 'template.helper'],
      ['log helper', '{{log "x"}}', 'template.helper'],
      ['string literal', '{{"text"}}', 'template.literal'],
      ['number literal', '{{42}}', 'template.literal'],
      ['boolean literal', '{{true}}', 'template.literal'],
      ['null literal', '{{null}}', 'template.literal'],
      ['this', '{{this}}', 'template.this'],
      ['this path', '{{this.contact}}', 'template.this'],
      ['dot path', '{{./contact}}', 'template.this'],
      ['parent scope', '{{../contact.name}}', 'template.parent_scope'],
      ['data variable', '{{@root.contact}}', 'template.data_variable'],
      ['index', '{{@index}}', 'template.data_variable'],
      ['triple stash', '{{{contact.name}}}', 'template.triple_stash'],
      ['ampersand', '{{& contact.name}}', 'template.triple_stash'],
      ['slash separator', '{{contact/name}}', 'template.invalid_path'],
      ['segment literal with space', '{{[first name]}}', 'template.invalid_path'],
      ['segment starting with a digit', '{{items.[0]}}', 'template.invalid_path'],
      ['unclosed mustache', 'Hi {{contact.name', 'template.syntax'],
      ['unclosed block', '{{#if x}}', 'template.syntax'],
      ['mismatched block', '{{#a}}x{{/b}}', 'template.syntax'],
      ['stray else', '{{else}}', 'template.syntax'],
    ])('rejects a %s: %j', (_name, body, code) => {
      const errors = errorsOf(body);
      expect(errors.map((error) => error.code)).toContain(code);
    });

    it('reports a helper call with sub-expressions once per sub-expression, with positions', () => {
      expect(errorsOf('Hi {{fmt (upper contact.name) x=(y)}}')).toEqual([
        expect.objectContaining({ code: 'template.helper', line: 1, column: 4 }),
        expect.objectContaining({
          code: 'template.subexpression',
          construct: '(upper contact.name)',
          column: 10,
        }),
        expect.objectContaining({ code: 'template.subexpression', construct: '(y)', column: 33 }),
      ]);
    });

    it('reports every offending construct with its 1-based line and column', () => {
      const body = 'Hello {{contact.name}},\n  {{#if x}}a{{/if}} and {{> p}}\n{{this}}';
      expect(errorsOf(body)).toEqual([
        {
          code: 'template.block',
          construct: '{{#if x}}a{{/if}}',
          line: 2,
          column: 3,
          message:
            '"{{#if x}}a{{/if}}" at line 2, column 3 is a block; templates cannot contain conditions or loops.',
        },
        expect.objectContaining({ code: 'template.partial', construct: '{{> p}}', line: 2, column: 25 }),
        expect.objectContaining({ code: 'template.this', construct: '{{this}}', line: 3, column: 1 }),
      ]);
    });

    it('reports a syntax error at the offending token', () => {
      expect(errorsOf('first line\nsecond {{a b}')).toEqual([
        expect.objectContaining({ code: 'template.syntax', line: 2, column: 13, construct: '}' }),
      ]);
    });

    it('shortens a long construct in the error', () => {
      const [error] = errorsOf(`{{#if x}}${'long text '.repeat(20)}{{/if}}`);
      expect(error?.construct).toHaveLength(60);
      expect(error?.construct.endsWith('…')).toBe(true);
    });
  });
});

describe('validateVariables', () => {
  it('returns the variables missing from an allowed list, once each, in order', () => {
    expect(validateVariables(['a.b', 'x.y', 'a.c', 'x.y', 'z'], ['a.b', 'a.c'])).toEqual(['x.y', 'z']);
  });

  it('returns nothing when every variable is allowed', () => {
    expect(validateVariables(['contact.first_name', 'document.number'], isKnownVariable)).toEqual([]);
  });

  it('accepts a predicate', () => {
    expect(validateVariables(['contact.name', 'contact.nme', 'shop.url'], isKnownVariable)).toEqual([
      'contact.nme',
      'shop.url',
    ]);
  });
});

describe('isKnownVariable', () => {
  it('accepts every standard variable', () => {
    for (const { path } of STANDARD_VARIABLES) expect(isKnownVariable(path), path).toBe(true);
  });

  it('accepts contact attributes by pattern', () => {
    expect(isKnownVariable('contact.attributes.customer_number')).toBe(true);
    expect(isKnownVariable('contact.attributes.customer-no')).toBe(true);
  });

  it.each([
    ['contact'],
    ['contact.attributes'],
    ['contact.attributes.'],
    ['contact.attributes.a.b'],
    ['contact.attributes.9lives'],
    ['contact.firstname'],
    ['document.total'],
    ['org_unit'],
    [''],
  ])('rejects %j', (path) => {
    expect(isKnownVariable(path)).toBe(false);
  });
});

describe('STANDARD_VARIABLES', () => {
  it('covers the contact, sender, document and org unit groups with the documented names', () => {
    const paths = STANDARD_VARIABLES.map((variable) => variable.path);
    for (const path of [
      'contact.first_name',
      'contact.last_name',
      'contact.name',
      'contact.party',
      'contact.phone',
      'sender.name',
      'sender.org_unit',
      'document.type',
      'document.number',
      'document.amount',
      'document.due_date',
      'org_unit.name',
    ]) {
      expect(paths).toContain(path);
    }
    expect(new Set(STANDARD_VARIABLES.map((variable) => variable.group))).toEqual(
      new Set(['contact', 'sender', 'document', 'org_unit']),
    );
  });

  it('has unique paths, each in its own group, each with a description and compilable', () => {
    const paths = STANDARD_VARIABLES.map((variable) => variable.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const variable of STANDARD_VARIABLES) {
      expect(variable.path.startsWith(`${variable.group}.`), variable.path).toBe(true);
      expect(variable.description.length, variable.path).toBeGreaterThan(10);
      expect(compileTemplate(`{{${variable.path}}}`), variable.path).toMatchObject({ ok: true });
    }
  });
});

describe('SAMPLE_DATA and previewTemplate', () => {
  it('renders every standard variable with its sample', () => {
    for (const { path, sample } of STANDARD_VARIABLES) {
      expect(previewTemplate(`{{${path}}}`), path).toMatchObject({ ok: true, text: sample });
    }
  });

  it('uses the documented samples', () => {
    expect(previewTemplate('{{contact.first_name}} {{document.number}}')).toEqual({
      ok: true,
      text: 'Anna INV-2026-00042',
      variables: ['contact.first_name', 'document.number'],
      unknownVariables: [],
    });
  });

  it('has a sample contact attribute', () => {
    expect(previewTemplate('{{contact.attributes.customer_number}}')).toMatchObject({
      ok: true,
      text: 'C-10077',
    });
  });

  it('reports unknown variables and renders them empty', () => {
    expect(previewTemplate('Hi {{contact.first_name}}{{contact.nickname}}!')).toEqual({
      ok: true,
      text: 'Hi Anna!',
      variables: ['contact.first_name', 'contact.nickname'],
      unknownVariables: ['contact.nickname'],
    });
  });

  it('replaces a whole sample group with the given one and keeps the others', () => {
    const result = previewTemplate('{{contact.first_name}}|{{contact.last_name}}|{{document.number}}', {
      contact: { first_name: 'Ben' },
    });
    expect(result).toMatchObject({ ok: true, text: 'Ben||INV-2026-00042' });
  });

  it('returns the compile errors of a rejected template', () => {
    expect(previewTemplate('{{#if x}}y{{/if}}')).toMatchObject({
      ok: false,
      errors: [{ code: 'template.block' }],
    });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(SAMPLE_DATA)).toBe(true);
    expect(Object.isFrozen(SAMPLE_DATA.contact)).toBe(true);
    expect(Object.isFrozen(STANDARD_VARIABLES)).toBe(true);
  });
});
