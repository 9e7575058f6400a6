import Handlebars from 'handlebars';

/**
 * Stable codes for what a template may not contain. A template is plain text plus variables
 * written `{{group.name}}`; everything else Handlebars knows is refused at compile time.
 */
export type TemplateErrorCode =
  | 'template.syntax' // Handlebars cannot parse it (e.g. an unclosed `{{`); write `\{{` for literal braces
  | 'template.block' // {{#if x}}…{{/if}}, {{^x}}…{{/x}}, {{{{raw}}}}…
  | 'template.partial' // {{> name}}, {{#> name}}…{{/name}}
  | 'template.decorator' // {{* name}}
  | 'template.helper' // {{name arg}}, {{name key=value}}
  | 'template.subexpression' // (name arg) inside a helper call
  | 'template.literal' // {{"text"}}, {{42}}, {{true}}, {{null}}
  | 'template.this' // {{this}}, {{this.name}}, {{./name}}
  | 'template.parent_scope' // {{../name}}
  | 'template.data_variable' // {{@index}}, {{@root.name}}
  | 'template.triple_stash' // {{{name}}}, {{&name}}: output is never escaped, so write {{name}}
  | 'template.invalid_path'; // {{a/b}}, {{[a b]}}, {{contact.}}, …

export interface TemplateError {
  code: TemplateErrorCode;
  /** Complete sentence for the template author, naming the construct and where it is. */
  message: string;
  /** The offending source text (shortened to 60 characters). */
  construct: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as the editor counts them. */
  column: number;
}

export interface CompiledTemplate {
  /**
   * Renders the template. Each variable is looked up along its path through own properties
   * only. Strings are inserted as they are (never escaped, never evaluated: a value containing
   * `{{x}}` appears literally); finite numbers, bigints and booleans via `String()`. Missing
   * values, `null`, `undefined`, NaN/Infinity, objects, arrays, dates and functions render as
   * the empty string, so format dates and amounts before rendering.
   */
  render(data: Readonly<Record<string, unknown>>): string;
}

export type CompileResult =
  | {
      ok: true;
      template: CompiledTemplate;
      /** Variable paths used, each once, in order of first use. */
      variables: string[];
    }
  | { ok: false; errors: TemplateError[] };

// A path segment: the identifier rule of most languages plus `-`, which Handlebars allows too
// and attribute keys like `customer-no` need.
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const CONSTRUCT_MAX_LENGTH = 60;

// An environment of our own with nothing registered in it: no helper, partial or decorator can
// be reached from a template, whatever another module registers on the global Handlebars.
const handlebars = Handlebars.create();
for (const name of Object.keys(handlebars.helpers)) handlebars.unregisterHelper(name);
for (const name of Object.keys(handlebars.decorators)) handlebars.unregisterDecorator(name);

// `knownHelpers` all false: otherwise Handlebars would treat `{{log}}` or `{{each}}` as a call
// of the (removed) built-in instead of a value. `data: false`: no @data frame per render.
const COMPILE_OPTIONS = {
  noEscape: true,
  strict: false,
  knownHelpersOnly: true,
  knownHelpers: {
    helperMissing: false,
    blockHelperMissing: false,
    each: false,
    if: false,
    unless: false,
    with: false,
    log: false,
    lookup: false,
  },
  data: false,
} as const;

/**
 * Compiles a template body once; reuse the result for every render.
 *
 * Handlebars parses it, then every statement is checked against a whitelist: text, comments
 * (`{{! note }}`, rendered as nothing) and `{{a.b}}` variables, where each dot-separated segment
 * is a letter or `_` followed by letters, digits, `_` or `-`. All errors are reported at once.
 *
 * The accepted AST is then rewritten so Handlebars only ever looks up flat slots (`v0`, `v1`, …)
 * that `render` fills with strings: template paths never reach Handlebars' property lookup, a
 * value cannot be a function Handlebars would call, and `{{contact}}` next to
 * `{{contact.name}}` still renders the object `contact` as empty.
 */
export function compileTemplate(body: string): CompileResult {
  let program: hbs.AST.Program;
  try {
    // Without whitespace control (`~`, standalone lines): `compile` applies it to the AST itself.
    program = handlebars.parseWithoutProcessing(body);
  } catch (error) {
    return { ok: false, errors: [syntaxError(body, error)] };
  }

  const errors: TemplateError[] = [];
  const paths: string[] = [];
  for (const statement of program.body) {
    if (statement.type === 'ContentStatement' || statement.type === 'CommentStatement') continue;
    const mustache = statement as hbs.AST.MustacheStatement;
    const problems =
      statement.type === 'MustacheStatement' ? checkMustache(mustache) : [disallowed(statement)];
    if (problems.length > 0) {
      for (const [code, node] of problems) errors.push(templateError(body, code, node));
      continue;
    }
    const path = (mustache.path as hbs.AST.PathExpression).parts.join('.');
    let slot = paths.indexOf(path);
    if (slot < 0) slot = paths.push(path) - 1;
    mustache.path = slotPath(slot, mustache.path.loc);
  }
  if (errors.length > 0) return { ok: false, errors };

  const template = handlebars.compile<Record<string, string>>(program, COMPILE_OPTIONS);
  template({}); // Handlebars compiles on first call; do it here, once, not in the first render.
  const segments = paths.map((path) => path.split('.'));
  const slots = paths.map((_, slot) => slotName(slot));
  return {
    ok: true,
    variables: paths,
    template: {
      render(data) {
        const view: Record<string, string> = {};
        for (let i = 0; i < slots.length; i++) view[slots[i]!] = toText(lookup(data, segments[i]!));
        return template(view);
      },
    },
  };
}

type Problem = readonly [TemplateErrorCode, hbs.AST.Node];

function checkMustache(node: hbs.AST.MustacheStatement): Problem[] {
  const problems: Problem[] = [];
  const hashValues = node.hash?.pairs.map((pair) => pair.value) ?? [];
  if (node.params.length > 0 || hashValues.length > 0) {
    problems.push(['template.helper', node]);
    for (const argument of [...node.params, ...hashValues]) {
      if (argument.type === 'SubExpression') problems.push(['template.subexpression', argument]);
    }
    return problems;
  }
  if (!node.escaped) return [['template.triple_stash', node]];
  if (node.path.type !== 'PathExpression') return [['template.literal', node]];

  const path = node.path as hbs.AST.PathExpression;
  if (path.data) return [['template.data_variable', node]];
  if (path.depth > 0) return [['template.parent_scope', node]];
  if (/^(this\b|\.\/)/.test(path.original) || path.parts.length === 0) return [['template.this', node]];
  // `original` still has the author's separators: `a/b` and `[a b]` are not the dotted form.
  if (path.original !== path.parts.join('.') || !path.parts.every((part) => SEGMENT.test(part))) {
    return [['template.invalid_path', node]];
  }
  return problems;
}

function disallowed(statement: hbs.AST.Statement): Problem {
  switch (statement.type) {
    case 'PartialStatement':
    case 'PartialBlockStatement':
      return ['template.partial', statement];
    case 'Decorator':
    case 'DecoratorBlock':
      return ['template.decorator', statement];
    default:
      return ['template.block', statement];
  }
}

const DESCRIPTIONS: Readonly<Record<TemplateErrorCode, string>> = {
  'template.syntax': 'is not valid template syntax (write \\{{ for literal braces)',
  'template.block': 'is a block; templates cannot contain conditions or loops',
  'template.partial': 'is a partial; templates cannot include other templates',
  'template.decorator': 'is a decorator, which templates cannot use',
  'template.helper': 'calls a helper; templates can only insert variables',
  'template.subexpression': 'is a sub-expression; templates can only insert variables',
  'template.literal': 'is a literal; write the text without braces',
  'template.this': 'refers to `this`; name the variable in full, e.g. {{contact.first_name}}',
  'template.parent_scope': 'refers to a parent scope; name the variable in full, e.g. {{contact.first_name}}',
  'template.data_variable': 'is an @data variable, which templates cannot use',
  'template.triple_stash': 'uses triple braces or &; write {{name}}, output is never escaped',
  'template.invalid_path': 'is not a variable name like {{contact.first_name}}',
};

function templateError(body: string, code: TemplateErrorCode, node: hbs.AST.Node): TemplateError {
  const { line, column } = node.loc.start;
  const construct = shorten(sourceOf(body, node.loc));
  return errorAt(code, construct, line, column + 1);
}

function errorAt(code: TemplateErrorCode, construct: string, line: number, column: number): TemplateError {
  const subject = construct === '' ? 'The template' : `"${construct}"`;
  const message = `${subject} at line ${line}, column ${column} ${DESCRIPTIONS[code]}.`;
  return { code, message, construct, line, column };
}

// Handlebars' parser throws a plain Error whose text holds an excerpt of the input; the exact
// position is left in the (shared, synchronous) lexer, which we read right after the throw.
// Block mismatches (`{{#a}}…{{/b}}`) throw a Handlebars Exception carrying lineNumber/column.
function syntaxError(body: string, error: unknown): TemplateError {
  if (!(error instanceof Error)) throw error;
  const exception = error as Error & { lineNumber?: unknown; column?: unknown };
  if (typeof exception.lineNumber === 'number' && typeof exception.column === 'number') {
    const { lineNumber: line, column } = exception;
    return errorAt('template.syntax', shorten(lineOf(body, line).slice(column)), line, column + 1);
  }
  const lexer = (handlebars as unknown as { Parser?: { lexer?: { yylloc?: unknown } } }).Parser?.lexer;
  const loc = lexer?.yylloc as { first_line?: unknown; first_column?: unknown } | undefined;
  const line = typeof loc?.first_line === 'number' ? loc.first_line : 1;
  const column = typeof loc?.first_column === 'number' ? loc.first_column : 0;
  return errorAt('template.syntax', shorten(lineOf(body, line).slice(column)), line, column + 1);
}

function lineOf(body: string, line: number): string {
  return body.split('\n')[line - 1] ?? '';
}

function sourceOf(body: string, loc: hbs.AST.SourceLocation): string {
  const lines = body.split('\n');
  const offset = (position: hbs.AST.Position): number =>
    lines.slice(0, position.line - 1).reduce((sum, text) => sum + text.length + 1, 0) + position.column;
  return body.slice(offset(loc.start), offset(loc.end));
}

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > CONSTRUCT_MAX_LENGTH ? `${oneLine.slice(0, CONSTRUCT_MAX_LENGTH - 1)}…` : oneLine;
}

function slotName(slot: number): string {
  return `v${slot}`;
}

function slotPath(slot: number, loc: hbs.AST.SourceLocation): hbs.AST.PathExpression {
  const name = slotName(slot);
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc };
}

function lookup(data: unknown, keys: readonly string[]): unknown {
  let value = data;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function toText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? String(value) : '';
    case 'bigint':
    case 'boolean':
      return String(value);
    default:
      return '';
  }
}
