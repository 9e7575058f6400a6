/**
 * Reads the first records of a CSV file in the browser, only to offer the column mapping; the server
 * parses the whole file again (csv-parse) and is the judge of what it holds.
 */
export function firstRecords(text: string, delimiter: string, max = 2): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (let i = 0; i < s.length && out.length < max; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(cell);
      cell = '';
      if (row.some((c) => c.trim() !== '')) out.push(row);
      row = [];
    } else cell += ch;
  }
  if (out.length < max && (cell !== '' || row.length)) {
    row.push(cell);
    if (row.some((c) => c.trim() !== '')) out.push(row);
  }
  return out;
}
