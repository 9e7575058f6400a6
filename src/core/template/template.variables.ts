/** Where a standard variable's value comes from; also the composer's grouping of its insert list. */
export type VariableGroup = 'contact' | 'sender' | 'document' | 'org_unit';

export interface StandardVariable {
  /** Dotted path as written in a template, without braces: `contact.first_name`. */
  readonly path: string;
  readonly group: VariableGroup;
  /** User-facing explanation, shown in the composer's insert list. */
  readonly description: string;
  /** Value used by {@link SAMPLE_DATA} for previews. */
  readonly sample: string;
}

/**
 * The variables every template may use. Values are rendered as given, so whoever fills them
 * formats amounts and dates for the recipient (locale, currency, the org unit's timezone)
 * before rendering. Contact free attributes come on top of this list, as
 * `contact.attributes.<key>` (see {@link isKnownVariable}).
 */
export const STANDARD_VARIABLES = Object.freeze([
  { path: 'contact.first_name', group: 'contact', description: 'First name of the contact', sample: 'Anna' },
  { path: 'contact.last_name', group: 'contact', description: 'Last name of the contact', sample: 'Schmidt' },
  {
    path: 'contact.name',
    group: 'contact',
    description: 'Full name of the contact as displayed',
    sample: 'Anna Schmidt',
  },
  {
    path: 'contact.party',
    group: 'contact',
    description: 'Customer, supplier or sales partner the contact belongs to',
    sample: 'Example Trading GmbH',
  },
  {
    path: 'contact.phone',
    group: 'contact',
    description: 'Phone number the message is sent to, international format',
    sample: '+49 1512 3456789',
  },
  {
    path: 'contact.department',
    group: 'contact',
    description: 'Department of the contact',
    sample: 'Purchasing',
  },
  { path: 'contact.branch', group: 'contact', description: 'Branch of the contact', sample: 'Hamburg' },
  {
    path: 'sender.name',
    group: 'sender',
    description: 'Name of the user who sends the message',
    sample: 'Max Mustermann',
  },
  {
    path: 'sender.org_unit',
    group: 'sender',
    description: 'Name of the org unit the message is sent for',
    sample: 'Sales North',
  },
  {
    path: 'document.type',
    group: 'document',
    description: 'Kind of the business document the message is about',
    sample: 'Invoice',
  },
  {
    path: 'document.number',
    group: 'document',
    description: 'Number of the business document',
    sample: 'INV-2026-00042',
  },
  {
    path: 'document.date',
    group: 'document',
    description: 'Date of the business document, formatted for the recipient',
    sample: '2026-03-02',
  },
  {
    path: 'document.amount',
    group: 'document',
    description: 'Amount of the business document, formatted with its currency',
    sample: '1,249.90 EUR',
  },
  {
    path: 'document.due_date',
    group: 'document',
    description: 'Due date of the business document, formatted for the recipient',
    sample: '2026-03-16',
  },
  { path: 'org_unit.name', group: 'org_unit', description: 'Name of the org unit', sample: 'Sales North' },
  {
    path: 'org_unit.phone',
    group: 'org_unit',
    description: 'Phone number recipients can call back',
    sample: '+49 40 1234567',
  },
  {
    path: 'org_unit.email',
    group: 'org_unit',
    description: 'Email address recipients can write to',
    sample: 'sales-north@example.com',
  },
] as const satisfies readonly StandardVariable[]);

export type StandardVariablePath = (typeof STANDARD_VARIABLES)[number]['path'];

/** Prefix of contact free attributes: `contact.attributes.customer_number`. */
export const CONTACT_ATTRIBUTE_PREFIX = 'contact.attributes.';

/**
 * A contact attribute key usable in a template: letters, digits, `_` and `-`, starting with a
 * letter or `_` (the same rule as any other path segment, see `compileTemplate`).
 */
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const STANDARD_PATHS: ReadonlySet<string> = new Set(STANDARD_VARIABLES.map((variable) => variable.path));

/** True for a standard variable or a `contact.attributes.<key>` variable. */
export function isKnownVariable(path: string): boolean {
  if (STANDARD_PATHS.has(path)) return true;
  if (!path.startsWith(CONTACT_ATTRIBUTE_PREFIX)) return false;
  return ATTRIBUTE_KEY_PATTERN.test(path.slice(CONTACT_ATTRIBUTE_PREFIX.length));
}

/**
 * Returns the variables that are not allowed, each once, in the order given — empty when all
 * are known. Used at save time, with {@link isKnownVariable} or a narrower list.
 */
export function validateVariables(
  variables: readonly string[],
  allowed: readonly string[] | ((path: string) => boolean),
): string[] {
  const isAllowed = typeof allowed === 'function' ? allowed : setMembership(allowed);
  return [...new Set(variables)].filter((path) => !isAllowed(path));
}

function setMembership(paths: readonly string[]): (path: string) => boolean {
  const set = new Set(paths);
  return (path) => set.has(path);
}

/**
 * Sample values for previews: every standard variable plus one contact attribute
 * (`contact.attributes.customer_number`). Deeply frozen.
 */
export const SAMPLE_DATA: Readonly<Record<string, unknown>> = deepFreeze(
  nest([
    ...STANDARD_VARIABLES.map((variable): [string, string] => [variable.path, variable.sample]),
    [`${CONTACT_ATTRIBUTE_PREFIX}customer_number`, 'C-10077'],
  ]),
);

function nest(entries: ReadonlyArray<readonly [string, string]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, value] of entries) {
    const keys = path.split('.');
    const last = keys.pop()!;
    let node = root;
    for (const key of keys) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[last] = value;
  }
  return root;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}
