// Lists which AsyncAPI documents the reference parser (@asyncapi/parser 3.x)
// accepts without errors: one line per document, tab-separated
// (document, `accepted` or `rejected`, the first error). Run through
// scripts/reference-parser.sh, which installs the parser.
import { Parser, fromFile } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';

// Standard input: one document a line, `name<TAB>file`.
const lines = readFileSync(0, 'utf8').split('\n').filter((l) => l.includes('\t'));
const parser = new Parser();
// One line, without the temporary directory the parser runs in (stack
// traces name it), so that the list is the same from one run to the next.
const clean = (text) => text.replace(/\s+/g, ' ').split(process.cwd()).join('.');
for (const line of lines) {
  const [document, file] = line.split('\t');
  let outcome;
  try {
    const { diagnostics } = await fromFile(parser, file).parse();
    const errors = diagnostics.filter((d) => d.severity === 0);
    outcome = errors.length === 0
      ? 'accepted\t'
      : `rejected\t${clean(errors[0].message)} at /${errors[0].path.join('/')}`;
  } catch (error) {
    outcome = `rejected\t${clean(String(error))}`;
  }
  console.log(`${document}\t${outcome}`);
}
