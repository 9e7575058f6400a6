import { compileTemplate, type TemplateError } from './template.compile.js';
import { isKnownVariable, SAMPLE_DATA } from './template.variables.js';

export type PreviewResult =
  | {
      ok: true;
      /** The body rendered with the sample data. */
      text: string;
      /** Variable paths used, each once, in order of first use. */
      variables: string[];
      /** Used variables that are neither standard nor `contact.attributes.<key>`. */
      unknownVariables: string[];
    }
  | { ok: false; errors: TemplateError[] };

/**
 * Renders a template body for the composer's preview. `sampleData` is laid over
 * {@link SAMPLE_DATA} one group at a time: passing `{ contact }` replaces the whole sample
 * contact and keeps the sample sender, document and org unit.
 */
export function previewTemplate(body: string, sampleData?: Readonly<Record<string, unknown>>): PreviewResult {
  const compiled = compileTemplate(body);
  if (!compiled.ok) return compiled;
  const data = sampleData === undefined ? SAMPLE_DATA : { ...SAMPLE_DATA, ...sampleData };
  return {
    ok: true,
    text: compiled.template.render(data),
    variables: compiled.variables,
    unknownVariables: compiled.variables.filter((path) => !isKnownVariable(path)),
  };
}
