//! Constant properties reach the generated types as marker types
//! (`consts::KindOrder`), and the alternatives of a `oneOf` told apart by a
//! constant become a tagged enum (typify reads those constants itself);
//! the definitions the generator hands typify for the constants never show.

use asyncapi_codegen::Generator;

#[test]
fn constants_are_marker_types_and_tags() {
    let code = Generator::new("tests/fixtures/types/constants.yaml")
        .generate_string()
        .unwrap_or_else(|e| panic!("{e}"));
    for piece in [
        "///Always order.\n            pub kind: consts::KindOrder,",
        "#[serde(tag = \"op\", content = \"x\")]",
        "#[serde(rename = \"clear\")]\n            Clear,",
        "rt::constant!(pub struct KindOrder : str = \"order\");",
    ] {
        assert!(code.contains(piece), "{piece}\n{code}");
    }
    assert!(!code.contains("AsyncapiRsConst"), "{code}");
}
