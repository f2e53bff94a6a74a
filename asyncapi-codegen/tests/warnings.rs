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

/// The warnings of a document, as displayed.
fn warnings_of(path: &str) -> Vec<String> {
    let generator = Generator::new(path);
    generator
        .generate_tokens()
        .unwrap_or_else(|e| panic!("warnings do not stop generation: {e}"));
    generator
        .warnings()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn what_real_documents_break_is_a_warning_at_its_place() {
    // The conformance test compiles this document and decodes its examples.
    let path = "../tests/conformance/specs/lenient.yaml";
    assert_eq!(
        warnings_of(path),
        [
            format!("{path}#/channels/stream/address: the address `/stream?streams={{streams}}` has a query, which a channel address may not have; the generated client writes its `{{parameters}}` into the query and the server reads them from there. Describe query parameters with the channel's `ws` binding (`bindings: {{ws: {{query: ...}}}}`) instead"),
            format!("{path}#/components/schemas/Pet/discriminator: the discriminator property `petType` is not in the schema's `required` list, but the property a discriminator names must be defined by the schema and required; it tells messages apart only in frames that have it. Add `petType` to `properties` and to `required`"),
        ]
    );
}

#[test]
fn the_seeds_example_documents_have_no_warnings() {
    for path in [
        "../tests/conformance/specs/chanx-chat.yaml",
        "../tests/conformance/specs/chanx-camelize.yaml",
    ] {
        assert_eq!(warnings_of(path), Vec::<String>::new(), "{path}");
    }
}

#[test]
fn strict_mode_turns_warnings_into_errors() {
    let path = "../tests/conformance/specs/lenient.yaml";
    let strict = Generator::new(path).with_strict(true);
    for result in [
        strict.generate_tokens().map(|_| ()),
        strict.generate_string().map(|_| ()),
        strict.warnings().map(|_| ()),
    ] {
        let e = result.unwrap_err();
        assert_eq!(e.kind(), asyncapi_codegen::ErrorKind::Warning);
        assert_eq!(
            e.location().unwrap().to_string(),
            format!("{path}#/channels/stream/address")
        );
        assert!(
            e.message()
                .starts_with("the address `/stream?streams={streams}` has a query"),
            "{e}"
        );
        let hint = e.hint().unwrap();
        assert!(
            hint.starts_with(
                "strict mode (`Generator::with_strict(true)`) refuses every warning; 1 more: "
            ) && hint.contains(&format!("{path}#/components/schemas/Pet/discriminator: ")),
            "{hint}"
        );
    }
    // Without warnings, strict mode changes nothing.
    let clean = Generator::new("../specs/kraken.yaml").with_strict(true);
    assert_eq!(
        clean.generate_string().unwrap(),
        Generator::new("../specs/kraken.yaml")
            .generate_string()
            .unwrap()
    );
}

#[test]
fn silent_mistakes_are_warnings_that_say_what_to_do() {
    let path = "tests/fixtures/warnings/lints.yaml";
    let join = format!("{path}#/channels/room/messages/join");
    let note = format!("{path}#/channels/room/messages/note");
    assert_eq!(
        warnings_of(path),
        [
            format!("{join}/payload/name: `name` is no JSON Schema keyword, so this schema ignores it, but its value looks like a schema: if `name` is a property, it belongs under `properties` (check its indentation)"),
            format!("{join}/payload/required/1: `usr` is required but is not one of the `properties` of this schema; did you mean `user`? As written, `user` is optional"),
            format!("{join}/payload/properties/user/minLenght: `minLenght` is no JSON Schema keyword, so it has no effect; did you mean `minLength`?"),
            format!("{join}/correlationId/location: the correlation id location `$message.payload#/reqId` names `reqId`, which is no field of the payload of message `join` ({join}/payload); did you mean `reqid`?: no reply would be paired with its request, and every request would time out"),
            format!("{note}/payload/properties/text: this property has no `type`, so it accepts any JSON value and its field is a `serde_json::Value`; `maxLength` applies only to strings and is not checked. Add `type: string`"),
        ]
    );
    // Strict mode refuses the first.
    let e = Generator::new(path)
        .with_strict(true)
        .generate_tokens()
        .unwrap_err();
    assert_eq!(
        e.location().unwrap().to_string(),
        format!("{join}/payload/name")
    );
}

#[test]
fn a_misspelt_required_name_in_a_one_property_variant_is_a_warning() {
    // typify asserted that the lone required name is the lone property.
    let path = "tests/fixtures/warnings/misspelt-required.yaml";
    assert_eq!(
        warnings_of(path),
        [format!("{path}#/channels/dock/messages/setup/payload/oneOf/1/required/0: `manual` is required but is not one of the `properties` of this schema; did you mean `manually`? As written, `manually` is optional")]
    );
}

#[test]
fn messages_no_value_tells_apart_are_a_warning_naming_the_frames() {
    let path = "tests/fixtures/warnings/overlap.yaml";
    assert_eq!(
        warnings_of(path),
        [format!("{path}#/channels/room/messages/join/examples/0/payload: this example of message `join` ({{\"action\":\"join\"}}) would be decoded as message `leave`, declared before it on channel `room`: it passes every test that tells `leave` apart and fits its payload schema. Give the messages a value that tells them apart (e.g. a `const` on a property both have, required)")]
    );
}
