//! The docs page every generated module embeds in `CONTRACT`, opened in
//! headless Chromium for every document in `specs/` (and the rooms
//! fixture):
//!
//! - every operation id and message name is in the text of the page as
//!   Chromium builds it;
//! - no element refers to a remote resource (`src`, `href`, CSS `url()`
//!   with `http:`, `https:` or `//`);
//! - the page makes no network request: Chromium's own log of the network
//!   (`--log-net-log`) holds no request that the page started. Host names
//!   resolve to nothing meanwhile, so not even the browser's own
//!   background requests leave the machine.
//!
//! The same checks run on a page that does load remote resources, and must
//! catch it. Chromium is Debian's `chromium` package (installed by
//! `scripts/real-clients/setup.sh`, which `.ci/run` runs); without it the
//! test says it skipped and passes, unless `ASYNCAPI_REAL_CLIENTS=require`.

#[path = "support/specs.rs"]
mod specs;

use asyncapi_codegen::contract::html;
use asyncapi_codegen::ir::Api;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// How long one Chromium run may take before it is killed.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(90);

/// Chromium's path, or `None` (after saying so) when the test may skip.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    let message = "Chromium is not installed (no `chromium` on PATH): apt-get install -y chromium";
    if std::env::var("ASYNCAPI_REAL_CLIENTS").as_deref() == Ok("require") {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    None
}

/// What Chromium made of a page.
struct Opened {
    /// The DOM, serialized.
    dom: String,
    /// The URLs of the requests the page started.
    page_requests: Vec<String>,
}

/// Opens `page` in headless Chromium, with its network logged.
fn open(chromium: &Path, page: &Path, work: &Path) -> Opened {
    let net_log = page.with_extension("netlog.json");
    let _ = std::fs::remove_file(&net_log);
    let profile = work.join("profile");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut dom = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut dom).map(|_| dom)
    });
    let deadline = Instant::now() + CHROMIUM_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium can be waited for") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish with {} in {CHROMIUM_TIMEOUT:?}",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = reader
        .join()
        .expect("the reader thread ends")
        .expect("chromium writes UTF-8");
    assert!(
        status.success(),
        "chromium failed on {}: {status}",
        page.display()
    );
    let log = std::fs::read_to_string(&net_log)
        .unwrap_or_else(|e| panic!("no network log at {}: {e}", net_log.display()));
    Opened {
        dom,
        page_requests: page_requests(&log),
    }
}

/// The URLs of the requests in a Chromium network log that a page started
/// (Chromium's own carry the initiator `not an origin`).
fn page_requests(log: &str) -> Vec<String> {
    let log: Value = serde_json::from_str(log).expect("the network log is JSON");
    let start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_u64()
        .expect("the network log names its event types");
    log["events"]
        .as_array()
        .expect("the network log has events")
        .iter()
        .filter(|event| event["type"].as_u64() == Some(start))
        .filter_map(|event| {
            let params = &event["params"];
            let url = params["url"].as_str()?;
            (params["initiator"].as_str() != Some("not an origin")).then(|| url.to_string())
        })
        .collect()
}

/// The text of a serialized DOM: styles and scripts dropped, tags removed,
/// entities decoded, white space collapsed.
fn text_of(dom: &str) -> String {
    let mut rest = dom.to_string();
    for element in ["style", "script"] {
        while let Some(start) = rest.find(&format!("<{element}")) {
            let end = rest[start..]
                .find(&format!("</{element}>"))
                .map_or(rest.len(), |e| start + e + element.len() + 3);
            rest.replace_range(start..end, " ");
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of the first heading of the element with the id `id` in a
/// serialized DOM (empty when there is none).
fn heading(dom: &str, id: &str) -> String {
    let Some(start) = dom.find(&format!("id=\"{id}\"")) else {
        return String::new();
    };
    let rest = &dom[start..];
    let end = rest.find("</h3>").unwrap_or(0);
    let open = rest[..end].find("<h3").unwrap_or(end);
    text_of(&rest[open..end])
}

/// The remote resources a serialized DOM refers to: `src`/`href`
/// attribute values and CSS `url()`s that start with `http:`, `https:` or
/// `//`.
fn remote_references(dom: &str) -> Vec<String> {
    let remote = |value: &str| {
        let value = value
            .trim()
            .trim_start_matches(['"', '\''])
            .to_ascii_lowercase();
        value.starts_with("http:") || value.starts_with("https:") || value.starts_with("//")
    };
    let mut found = Vec::new();
    // Attributes: inside tags only.
    let mut rest = dom;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
        let tag = &rest[start..end];
        for attribute in ["src=", "href=", "srcset=", "poster=", "action="] {
            let lower = tag.to_ascii_lowercase();
            let mut from = 0;
            while let Some(at) = lower[from..].find(attribute) {
                let value = &tag[from + at + attribute.len()..];
                if remote(value) {
                    found.push(format!(
                        "{attribute}{}",
                        value.split_whitespace().next().unwrap_or("")
                    ));
                }
                from += at + attribute.len();
            }
        }
        rest = &rest[end..];
    }
    // CSS, wherever it is.
    let lower = dom.to_ascii_lowercase();
    for keyword in ["url(", "@import"] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(keyword) {
            let value = &dom[from + at + keyword.len()..];
            if remote(value) {
                found.push(format!("{keyword}{}", &value[..value.len().min(60)]));
            }
            from += at + keyword.len();
        }
    }
    found
}

/// The documents whose pages are checked.
fn documents() -> Vec<PathBuf> {
    let mut paths = specs::documents();
    paths.push(Path::new(MANIFEST).join("tests/fixtures/sides/rooms.yaml"));
    paths
}

#[test]
fn every_docs_page_shows_all_names_and_stays_offline_in_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("contract-pages");
    std::fs::create_dir_all(&work).expect("a directory for the pages");

    // The checks catch a page that reaches out.
    let bad = work.join("remote.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"https://cdn.invalid/x.css\"><style>body{background:url(http://img.invalid/bg.png)}</style></head><body><img src=\"http://127.0.0.1:9/x.png\"><p>remote</p></body></html>",
    )
    .expect("the page is written");
    let opened = open(&chromium, &bad, &work);
    assert_eq!(
        remote_references(&opened.dom).len(),
        3,
        "the remote references of the control page were not all found: {}",
        opened.dom
    );
    for url in [
        "https://cdn.invalid/x.css",
        "http://127.0.0.1:9/x.png",
        "http://img.invalid/bg.png",
    ] {
        assert!(
            opened.page_requests.iter().any(|r| r == url),
            "the control page's request for {url} is not in the network log: {:?}",
            opened.page_requests
        );
    }

    for path in documents() {
        let name = path.display().to_string();
        let api = Api::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let page = work.join(format!(
            "{}.html",
            path.file_stem().unwrap().to_string_lossy()
        ));
        std::fs::write(&page, html::page(&api)).expect("the page is written");
        let opened = open(&chromium, &page, &work);
        let text = text_of(&opened.dom);
        assert!(
            text.contains(&api.title),
            "{name}: the title is not on the page"
        );
        for (i, operation) in api.operations.iter().enumerate() {
            let heading = heading(&opened.dom, &format!("operation-{i}"));
            assert!(
                heading.contains(&operation.id),
                "{name}: operation `{}` is not the heading of its article: {heading:?}",
                operation.id
            );
        }
        for (i, message) in api.messages.iter().enumerate() {
            let heading = heading(&opened.dom, &format!("message-{i}"));
            for shown in std::iter::once(&message.key).chain(&message.name) {
                assert!(
                    heading.contains(shown.as_str()),
                    "{name}: message `{shown}` is not the heading of its article: {heading:?}"
                );
            }
        }
        let remote = remote_references(&opened.dom);
        assert!(
            remote.is_empty(),
            "{name}: the page refers to remote resources: {remote:?}"
        );
        assert!(
            opened.page_requests.is_empty(),
            "{name}: the page made requests: {:?}",
            opened.page_requests
        );
    }
}
