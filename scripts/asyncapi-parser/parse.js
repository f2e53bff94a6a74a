// Parses each document given on the command line with @asyncapi/parser
// (resolving its local $refs) and prints every diagnostic; exits 1 when any
// document has an error or a warning.
const { Parser, fromFile } = require('@asyncapi/parser');

const SEVERITY = ['error', 'warning', 'information', 'hint'];

async function main() {
  const parser = new Parser();
  let failed = false;
  for (const path of process.argv.slice(2)) {
    const { document, diagnostics } = await fromFile(parser, path).parse();
    const serious = diagnostics.filter((d) => d.severity <= 1);
    for (const d of diagnostics) {
      const where = d.path && d.path.length ? '#/' + d.path.join('/') : '';
      console.log(`${path}${where}: ${SEVERITY[d.severity]} ${d.code}: ${d.message}`);
    }
    if (!document || serious.length > 0) {
      failed = true;
      console.log(`${path}: FAILED (${serious.length} errors or warnings)`);
    } else {
      const channels = document.channels().length;
      const operations = document.operations().length;
      const messages = document.components().messages().length;
      console.log(`${path}: ok (AsyncAPI ${document.version()}, ${channels} channels, ${operations} operations, ${messages} messages)`);
    }
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
