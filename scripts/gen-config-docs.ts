import fs from 'node:fs';
import { renderConfigDocs } from '../src/config/config.docs.js';

const target = new URL('../docs/configuration.md', import.meta.url);
const expected = renderConfigDocs();
if (process.argv.includes('--check')) {
  const actual = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (actual !== expected) {
    console.error('docs/configuration.md is out of date: run `npm run docs:config`.');
    process.exit(1);
  }
  console.log('docs/configuration.md is up to date.');
} else {
  fs.writeFileSync(target, expected);
  console.log('wrote docs/configuration.md');
}
