import { type SettingDeclaration, settingDeclarations } from './config.declarations.js';

/** Renders docs/configuration.md from the declarations (run `npm run docs:config`; a test keeps it in sync). */
export function renderConfigDocs(): string {
  const rows = (Object.values(settingDeclarations) as SettingDeclaration[]).map((d) => {
    const def = d.default === undefined ? '*(not set)*' : `\`${d.default}\``;
    return `| \`${d.env}\` | ${def} | ${d.doc.replace(/\|/g, '\\|')} |`;
  });
  return `# Configuration

<!-- Generated from src/config/config.declarations.ts by \`npm run docs:config\`. Do not edit by hand. -->

Herald reads its settings from environment variables at start. Every value is validated before
anything starts; a bad value stops Herald with a message naming the variable (exit code 78).
An empty variable counts as not set.

| variable | default | meaning |
|---|---|---|
${rows.join('\n')}
`;
}
