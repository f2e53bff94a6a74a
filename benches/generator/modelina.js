// Generates Rust models from an AsyncAPI document with @asyncapi/modelina
// (its RustGenerator, models only), writing them to one file: what run.sh
// times as a whole process against asyncapi-codegen.
//
//   node modelina.js DOCUMENT OUT_FILE   (NODE_PATH: where modelina is installed)
const fs = require('fs');
const yaml = require('js-yaml');
const { RustGenerator } = require('@asyncapi/modelina');

async function main() {
  const [file, out] = process.argv.slice(2);
  const text = fs.readFileSync(file, 'utf8');
  const document = file.endsWith('.json') ? JSON.parse(text) : yaml.load(text);
  const models = await new RustGenerator().generate(document);
  fs.writeFileSync(out, models.map((m) => m.result).join('\n\n'));
  console.error(`${models.length} models`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
