export type {
  CompiledTemplate,
  CompileResult,
  TemplateError,
  TemplateErrorCode,
} from './template.compile.js';
export { compileTemplate } from './template.compile.js';
export type { PreviewResult } from './template.preview.js';
export { previewTemplate } from './template.preview.js';
export type { StandardVariable, StandardVariablePath, VariableGroup } from './template.variables.js';
export {
  ATTRIBUTE_KEY_PATTERN,
  CONTACT_ATTRIBUTE_PREFIX,
  isKnownVariable,
  SAMPLE_DATA,
  STANDARD_VARIABLES,
  validateVariables,
} from './template.variables.js';
