//! Generate Rust from AsyncAPI documents, in `build.rs`.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), asyncapi_codegen::Error> {
//!     asyncapi_codegen::generate("specs/kraken.yaml")
//! }
//! ```
//!
//! writes `$OUT_DIR/kraken.rs`, which the crate includes inside a module:
//!
//! ```ignore
//! pub mod kraken {
//!     asyncapi_runtime::include_api!("kraken");
//! }
//! ```
//!
//! The generated module holds
//! - `types`: a Rust type for every payload and header schema (through
//!   typify); every struct has `new` over its required fields (constants
//!   are filled in) and a `with_<field>` method per optional field:
//!   `types::Subscribe::new(subscription).with_reqid(7)`;
//! - per channel, `ClientMessage` (what clients send) and `ServerMessage`
//!   (what the server sends): enums that decode a JSON frame into the right
//!   variant by the values that discriminate the messages
//!   (`ServerMessage::from_json(frame)`), and encode with serde;
//! - `servers`: the URL of every server the document names;
//! - `CONTRACT`: the document, bundled into one JSON document, and an
//!   offline HTML page documenting it, for a server to serve
//!   (`asyncapi_runtime::contract::Contract`).
//!
//! For a document with one channel the enums sit at the root of the module;
//! with several, in `channels::<channel_id>` (and re-exported at the root
//! where their names do not clash).
//!
//! The file holds one private module with everything above, re-exported
//! whole (`pub use self::generated::*;`): the lints generated code must not
//! trip in users' crates are allowed once, on that module (an `include!`d
//! file cannot have inner attributes). Each generated module imports the
//! runtime once, as `rt` (`use ::asyncapi_runtime::__private as rt;`).
//! Types that generated types hold (`chrono`, `uuid`, `serde_json`) are
//! re-exported by `asyncapi_runtime`, so a user's `Cargo.toml` needs nothing
//! else.
//!
//! Reading documents: AsyncAPI 2.0.0–2.6.0 and 3.0.0–3.1.0, YAML or JSON,
//! split over local files by `$ref`, checked against the official AsyncAPI
//! JSON Schema of their version (embedded: a build needs no network) and
//! the rules it cannot express, with message and operation traits applied.
//! Every error names the file and JSON pointer of the problem; what is
//! wrong but harmless (a message example that does not fit its schema) is
//! a [`Warning`], printed by [`Generator::generate`] as a `cargo:warning`
//! (an error in strict mode, [`Generator::with_strict`]). Where a document
//! breaks a rule of the specification that the reference parser
//! (`@asyncapi/parser`) lets through, it is read as leniently, with a
//! warning: an address with a query, a discriminator not in `required`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod beside;
mod client;
/// The served contract: the bundled document and the docs page a generated
/// module embeds as `CONTRACT`. Not public API (no semver promise): public
/// only for the project's own tests of bundling and of the page.
#[doc(hidden)]
pub mod contract;
mod dispatch;
mod error;
/// The model the back end generates from. Not public API (no semver
/// promise): public only for the project's own tests, which read documents'
/// messages and examples through it.
#[doc(hidden)]
pub mod ir;
mod messages;
mod names;
mod openapi;
mod output;
mod parameters;
mod pattern;
mod requests;
mod security;
mod selection;
mod server;
mod short_paths;
/// Loading and checking documents. Not public API (no semver promise):
/// public only for the project's own tests of loading errors.
#[doc(hidden)]
pub mod spec;
mod types;

pub use error::{Error, ErrorKind, Location, Result, Warning};
pub use ir::Perspective;

use std::path::{Path, PathBuf};

/// Generates Rust for the AsyncAPI document at `path` into
/// `$OUT_DIR/<file stem>.rs`, from `build.rs`.
///
/// The same as `Generator::new(path).generate()`.
pub fn generate(path: impl AsRef<Path>) -> Result<()> {
    Generator::new(path).generate().map(|_| ())
}

/// Generates Rust for one AsyncAPI document, with settings.
///
/// ```no_run
/// # fn main() -> Result<(), asyncapi_codegen::Error> {
/// asyncapi_codegen::Generator::new("specs/chat.yaml")
///     .with_perspective(asyncapi_codegen::Perspective::Client)
///     .with_file_name("chat_api.rs")
///     .generate()?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Generator {
    path: PathBuf,
    out_dir: Option<PathBuf>,
    file_name: Option<String>,
    perspective: Perspective,
    sides: output::Sides,
    strict: bool,
}

impl Generator {
    /// A generator for the document at `path` (relative paths are relative
    /// to the current directory, which for `build.rs` is the package root).
    pub fn new(path: impl AsRef<Path>) -> Self {
        Generator {
            path: path.as_ref().to_path_buf(),
            out_dir: None,
            file_name: None,
            perspective: Perspective::default(),
            sides: output::Sides {
                client: true,
                server: true,
            },
            strict: false,
        }
    }

    /// Where to write the file (default: `$OUT_DIR`).
    pub fn with_out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The name of the file to write (default: the document's file stem
    /// with `.rs`, e.g. `kraken.rs` for `specs/kraken.yaml`).
    pub fn with_file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Which side the document describes (default: the server, i.e. the
    /// WebSocket endpoint). Set [`Perspective::Client`] for documents
    /// written from a client's point of view: their `send` operations (or
    /// 2.x `subscribe`) are then what clients send.
    pub fn with_perspective(mut self, perspective: Perspective) -> Self {
        self.perspective = perspective;
        self
    }

    /// Whether to generate a typed `Client` (and `Sender`) per channel
    /// (default: yes).
    pub fn with_client(mut self, client: bool) -> Self {
        self.sides.client = client;
        self
    }

    /// Whether to generate a `Handler` trait (and `Service`) per channel
    /// (default: yes).
    pub fn with_server(mut self, server: bool) -> Self {
        self.sides.server = server;
        self
    }

    /// Strict mode (default: off): every [`Warning`] (a rule of the
    /// specification that the document breaks but that the reference
    /// parser accepts, an example that does not fit its schema, a likely
    /// mistake such as a misspelt keyword) is an error instead, of kind
    /// [`ErrorKind::Warning`], naming the first warning's place; the others
    /// follow in its hint. For teams that lint their contracts in CI:
    ///
    /// ```no_run
    /// # fn main() -> Result<(), asyncapi_codegen::Error> {
    /// asyncapi_codegen::Generator::new("specs/chat.yaml")
    ///     .with_strict(true)
    ///     .generate()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// The name of the file [`Generator::generate`] writes.
    pub fn file_name(&self) -> String {
        self.file_name.clone().unwrap_or_else(|| {
            let stem = self
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "api".to_string());
            format!("{stem}.rs")
        })
    }

    /// The generated code as a token stream, without touching the file
    /// system beyond reading the document.
    pub fn generate_tokens(&self) -> Result<proc_macro2::TokenStream> {
        Ok(self.load()?.into_tokens())
    }

    /// The generated code as formatted text, starting with the `@generated`
    /// header: exactly what [`Generator::generate`] writes.
    pub fn generate_string(&self) -> Result<String> {
        let module = self.load()?;
        Ok(output::format(&self.source_name(), &module))
    }

    /// What is wrong with the document without stopping generation:
    /// message examples that do not fit their own schemas, schemas that no
    /// value satisfies, security requirements that name no security scheme.
    /// [`Generator::generate`] prints each as a `cargo:warning`.
    ///
    /// In strict mode, the warnings are the error this returns.
    pub fn warnings(&self) -> Result<Vec<Warning>> {
        let docs = spec::Documents::load(&self.path)?;
        Ok(self.build(&docs)?.warnings)
    }

    /// Writes the generated file (only when its content changed, so that
    /// cargo does not rebuild needlessly) and prints
    /// `cargo:rerun-if-changed` for the document and every file it
    /// references, and a `cargo:warning` for each of
    /// [`Generator::warnings`]. Returns the path written.
    pub fn generate(&self) -> Result<PathBuf> {
        // One load serves the files to watch, the warnings and the code.
        let docs = spec::Documents::load(&self.path)?;
        for file in docs.files() {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        let (api, code) = self.api_and_module(&docs)?;
        for warning in &api.warnings {
            println!("cargo:warning={}", warning.to_string().replace('\n', " "));
        }
        let text = output::format(&self.source_name(), &code);
        let dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| {
                Error::new(
                    ErrorKind::Output,
                    None,
                    "OUT_DIR is not set, so there is nowhere to write the generated code",
                )
                .with_hint("call generate() from build.rs, or set a directory with Generator::with_out_dir")
            })?,
        };
        let path = dir.join(self.file_name());
        output::write_if_changed(&path, &text)?;
        Ok(path)
    }

    /// The name the header gives the document (its file name only, so that
    /// output does not depend on where the build runs).
    fn source_name(&self) -> String {
        self.path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    fn load(&self) -> Result<output::Module> {
        let docs = spec::Documents::load(&self.path)?;
        Ok(self.api_and_module(&docs)?.1)
    }

    /// The model of `docs`, with every warning, and its generated module.
    /// The checks that only warn run on a second thread beside code
    /// generation; in strict mode, where a warning stops generation, first.
    fn api_and_module(&self, docs: &spec::Documents) -> Result<(ir::Api, output::Module)> {
        if self.strict {
            let api = self.build(docs)?;
            let module = self.module(docs, &api)?;
            return Ok((api, module));
        }
        let mut api = ir::Api::model(docs, self.perspective)?;
        let (checked, module) = beside::beside(
            "asyncapi-checks",
            || api.checks(docs),
            |checks| {
                let module = self.module(docs, &api);
                (checks.join(), module)
            },
        );
        // The checks' error first, as when they ran before generation.
        let checked = checked.map_err(|_| {
            Error::new(
                ErrorKind::Output,
                Some(docs.root()),
                "internal: checking the document's examples and schemas failed",
            )
        })??;
        let module = module?;
        api.add_warnings(checked);
        Ok((api, module))
    }

    /// The generated module of `api`, read out of `docs`. The contract
    /// (the bundled document and its docs page) is text, written on a
    /// second thread while this one generates the code (tokens stay on the
    /// thread that made them).
    fn module(&self, docs: &spec::Documents, api: &ir::Api) -> Result<output::Module> {
        beside::beside(
            "asyncapi-contract",
            || contract::render(docs, api),
            |contract| {
                let file = output::module(api, self.sides)?;
                let contract = contract.join().map_err(|_| {
                    Error::new(
                        ErrorKind::Output,
                        Some(docs.root()),
                        "internal: writing the contract (the bundled document and its page) failed",
                    )
                })??;
                Ok(output::Module { file, contract })
            },
        )
    }

    /// The model of `docs`; in strict mode, an error if it has warnings.
    fn build(&self, docs: &spec::Documents) -> Result<ir::Api> {
        let api = ir::Api::build(docs, self.perspective)?;
        match api.warnings.split_first() {
            Some((first, rest)) if self.strict => {
                let mut error = Error::at(ErrorKind::Warning, first.location(), first.message());
                let mut hint = String::from(
                    "strict mode (`Generator::with_strict(true)`) refuses every warning",
                );
                if !rest.is_empty() {
                    let others: Vec<String> = rest.iter().map(ToString::to_string).collect();
                    hint += &format!("; {} more: {}", rest.len(), others.join("; "));
                }
                error = error.with_hint(hint);
                Err(error)
            }
            _ => Ok(api),
        }
    }
}
