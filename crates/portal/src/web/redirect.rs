//! Where a `next=` parameter may send the browser: only to a path of this portal.
//!
//! A prefix check cannot decide it: browsers drop tabs and newlines anywhere in a URL, read
//! `\` as `/`, and treat `/<TAB>/evil.example` or `/\evil.example` as `//evil.example`,
//! another host. So the candidate is resolved against a placeholder origin by the WHATWG URL
//! parser (the `url` crate, the algorithm browsers implement), and accepted only when the
//! result keeps that origin. The answer is the parser's own serialisation of the path,
//! query and fragment: ASCII, percent-encoded, always a valid `Location` header value.

use url::{Position, Url};

/// A placeholder origin that no request can carry (`.invalid` is reserved by RFC 2606).
const BASE: &str = "http://portal.invalid/";

/// The same-origin path `candidate` leads to, or `None` when it leads anywhere else (another
/// host, another scheme such as `javascript:`, or something a browser would not parse).
pub fn local_target(candidate: &str) -> Option<String> {
    // Only references that start as a path: a scheme-relative or absolute URL, even one
    // naming this portal, is refused rather than compared host by host.
    if !candidate.starts_with('/') {
        return None;
    }
    let base = Url::parse(BASE).expect("static base URL");
    let url = base.join(candidate).ok()?;
    if url.origin() != base.origin() || url.username() != "" || url.password().is_some() {
        return None;
    }
    let target = &url[Position::BeforePath..];
    // After the parser's clean-up the path itself must not begin like a network path.
    if target.starts_with("//") {
        return None;
    }
    Some(target.to_string())
}

/// [`local_target`], or `fallback` when there is no acceptable target.
pub fn local_or(candidate: Option<&str>, fallback: &str) -> String {
    candidate
        .and_then(local_target)
        .unwrap_or_else(|| fallback.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_with_their_queries_are_kept() {
        assert_eq!(
            local_target("/counters?unit=month&from=2021-08").as_deref(),
            Some("/counters?unit=month&from=2021-08")
        );
        assert_eq!(
            local_target("/devices/3#top").as_deref(),
            Some("/devices/3#top")
        );
        assert_eq!(local_target("/").as_deref(), Some("/"));
    }

    #[test]
    fn anything_a_browser_would_take_to_another_origin_is_refused() {
        for evil in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            "https://evil.example/",
            "http://portal.invalid/x",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " //evil.example",
            "evil.example",
            "",
            "/\\\\evil.example",
        ] {
            assert_eq!(local_target(evil), None, "{evil:?}");
        }
    }

    #[test]
    fn control_characters_come_out_encoded_never_raw() {
        for (input, expect) in [
            ("/\nX", "/X"),
            ("/%0aX", "/%0aX"),
            ("/a\u{0}b", "/a%00b"),
            ("/%2F/evil.example", "/%2F/evil.example"),
            ("/ä", "/%C3%A4"),
        ] {
            assert_eq!(local_target(input).as_deref(), Some(expect), "{input:?}");
        }
        for input in ["/\nX", "/a\u{0}b", "/x y"] {
            let out = local_target(input).unwrap();
            assert!(out.bytes().all(|b| b.is_ascii_graphic()), "{out:?}");
        }
    }
}
