import { stdin, stdout } from 'node:process';
import readline from 'node:readline/promises';

/** Reads all of stdin (for `--password-stdin`), without the trailing newline. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks a question on the terminal; hidden input for passwords. */
export async function ask(question: string, { hidden = false } = {}): Promise<string> {
  if (!stdin.isTTY)
    throw new Error(`cannot ask "${question.trim()}" without a terminal; pass it as an option`);
  const rl = readline.createInterface({ input: stdin, output: stdout, terminal: true });
  if (hidden) {
    // Echo nothing while the password is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) stdout.write(question);
    };
  }
  try {
    const answer = await rl.question(question);
    if (hidden) stdout.write('\n');
    return answer;
  } finally {
    rl.close();
  }
}
