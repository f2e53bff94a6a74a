//! `format` assertions: the formats the AsyncAPI schemas use (`uri`,
//! `uri-reference`, `uri-template`, `email`, `regex`) and the common ones
//! of payload schemas (`date-time`, `date`, `time`, `uuid`, `ipv4`,
//! `ipv6`, `hostname`, `json-pointer`). Unknown formats are annotations:
//! every string passes.

/// Whether `text` is of the format `name`.
pub fn is_valid(name: &str, text: &str) -> bool {
    match name {
        "uri" | "iri" => is_uri(text),
        "uri-reference" | "iri-reference" => is_uri_reference(text),
        "uri-template" => is_uri_template(text),
        "email" | "idn-email" => is_email(text),
        "regex" => super::compile_pattern(text).is_some(),
        "date-time" => is_date_time(text),
        "date" => is_date(text),
        "time" => is_time(text),
        "uuid" => is_uuid(text),
        "ipv4" => text.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<std::net::Ipv6Addr>().is_ok(),
        "hostname" | "idn-hostname" => is_hostname(text),
        "json-pointer" => is_json_pointer(text),
        _ => true,
    }
}

/// Characters a URI may hold (RFC 3986), besides `%` escapes; non-ASCII
/// letters are allowed too, as IRIs have them and people write them.
fn uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "-._~:/?#[]@!$&'()*+,;=".contains(c)
        || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
}

/// Every `%` is followed by two hex digits, and every other character may
/// be in a URI.
fn uri_chars(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            chars.next();
            chars.next();
        } else if !uri_char(c) {
            return false;
        }
    }
    true
}

/// An absolute URI: a scheme, `:`, and URI characters.
fn is_uri(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    let mut s = scheme.chars();
    s.next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && uri_chars(text)
}

fn is_uri_reference(text: &str) -> bool {
    uri_chars(text)
}

/// URI characters with balanced `{expressions}`.
fn is_uri_template(text: &str) -> bool {
    let mut open = false;
    for c in text.chars() {
        match c {
            '{' if !open => open = true,
            '}' if open => open = false,
            '{' | '}' => return false,
            c if open => {
                if !(c.is_alphanumeric() || "_.%,:*+#./;?&=".contains(c)) {
                    return false;
                }
            }
            c => {
                if c != '%' && !uri_char(c) {
                    return false;
                }
            }
        }
    }
    !open
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || "-.[]:".contains(c))
}

fn digits(text: &str, n: usize) -> Option<u32> {
    (text.len() == n && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// `YYYY-MM-DD` (RFC 3339 full-date).
fn is_date(text: &str) -> bool {
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Some(y), Some(m), Some(d)) = (digits(y, 4), digits(m, 2), digits(d, 2)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// `hh:mm:ss[.frac](Z|±hh:mm)` (RFC 3339 full-time).
fn is_time(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    let (time, offset) = if let Some(time) = upper.strip_suffix('Z') {
        (time, None)
    } else if let Some(i) = upper.rfind(['+', '-']) {
        (&upper[..i], Some(&upper[i + 1..]))
    } else {
        return false;
    };
    if let Some(offset) = offset {
        let Some((h, m)) = offset.split_once(':') else {
            return false;
        };
        if digits(h, 2).is_none_or(|h| h >= 24) || digits(m, 2).is_none_or(|m| m >= 60) {
            return false;
        }
    }
    let (whole, fraction) = match time.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (time, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let mut parts = whole.split(':');
    let (Some(h), Some(m), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    digits(h, 2).is_some_and(|h| h < 24)
        && digits(m, 2).is_some_and(|m| m < 60)
        && digits(s, 2).is_some_and(|s| s <= 60)
}

fn is_date_time(text: &str) -> bool {
    match text.find(['T', 't', ' ']) {
        Some(i) => is_date(&text[..i]) && is_time(&text[i + 1..]),
        None => false,
    }
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_hostname(text: &str) -> bool {
    let text = text.strip_suffix('.').unwrap_or(text);
    !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

fn is_json_pointer(text: &str) -> bool {
    crate::spec::split_pointer(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn formats() {
        for (format, good, bad) in [
            ("uri", "urn:example:a", "this id does not conform"),
            ("uri", "https://a.b/c%20d?e=f#g", "https://a.b/%zz"),
            ("uri-reference", "../x.yaml#/a", "a b"),
            ("uri-template", "/users/{userId}", "/users/{userId"),
            ("email", "hello@foo.bar", "hello"),
            ("regex", "^a+$", "(unclosed"),
            (
                "date-time",
                "2024-02-29T10:00:00.5+01:00",
                "2023-02-29T10:00:00Z",
            ),
            ("date", "2024-12-31", "2024-13-01"),
            ("time", "23:59:60Z", "24:00:00Z"),
            ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567"),
            ("ipv4", "127.0.0.1", "256.0.0.1"),
            ("hostname", "api.example.com", "-bad.example"),
            ("json-pointer", "/a/~1b", "a/b"),
        ] {
            assert!(is_valid(format, good), "{format}: {good}");
            assert!(!is_valid(format, bad), "{format}: {bad}");
        }
        assert!(is_valid("int32", "anything"));
    }
}
