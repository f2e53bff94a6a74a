//! What is wrong with a document without stopping generation is reported
//! as warnings, with the place: examples that do not fit their own payload
//! or headers schema, schemas that no value satisfies.

use asyncapi_codegen::Generator;

#[test]
fn examples_that_do_not_fit_their_schemas_are_warnings() {
    let generator = Generator::new("tests/fixtures/warnings/examples.yaml");
    generator
        .generate_tokens()
        .expect("warnings do not stop generation");
    let warnings: Vec<String> = generator
        .warnings()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    let at = "tests/fixtures/warnings/examples.yaml#/channels/c/messages/ping";
    assert_eq!(
        warnings,
        [
            format!("{at}/examples/1/payload/reqid: example `wrongType` of message `ping` does not fit its payload schema ({at}/payload): must be an integer, found the string \"one\""),
            format!("{at}/examples/2/payload: example #2 of message `ping` does not fit its payload schema ({at}/payload): the required field `event` is missing"),
            format!("{at}/payload/properties/direction: no value satisfies this schema: `type` is `object` but the `enum` values are of type `string`; the generated type takes the `enum` values"),
            format!("{at}/examples/1/headers/token: example `wrongType` of message `ping` does not fit its headers schema ({at}/headers): must be a string, found the number 7"),
        ]
    );
}

#[test]
fn the_specs_have_no_warnings() {
    for spec in [
        "../specs/kraken.yaml",
        "../specs/kraken_2_0.yaml",
        "../specs/kraken_v2.yaml",
    ] {
        let warnings = Generator::new(spec).warnings().unwrap();
        assert!(warnings.is_empty(), "{spec}: {warnings:?}");
    }
}
