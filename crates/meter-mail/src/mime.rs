//! The message's parts, read by mail-parser (multipart, base64, quoted-printable, ISO-2022-JP
//! and Shift_JIS bodies, RFC 2047 and RFC 2231 file names), and which format each holds.
//!
//! A part's format is decided from the part itself, never from the sender: its file name or
//! content type (`.json`, `application/json`, `.csv`, `text/csv`), else its content (JSON
//! begins with `{` or `[`; other text is given to the text formats, which say whether it
//! is theirs). HTML parts are not read: a device that sends only HTML sends no report.

use std::borrow::Cow;

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{
    Encoding, HeaderName, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

use crate::Refusal;

/// A parsed message.
pub struct Mail<'x> {
    message: Message<'x>,
}

/// What a part may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    Json,
    Csv,
    /// Text for the text formats (key:value, Sharp) to recognise, or not.
    Text,
}

/// A part that may hold a report.
pub struct Part<'a> {
    pub kind: PartKind,
    message: &'a Message<'a>,
    part: &'a MessagePart<'a>,
}

impl<'x> Mail<'x> {
    pub fn parse(bytes: &'x [u8]) -> Result<Mail<'x>, Refusal> {
        // mail-parser reads nearly anything as a message; what it cannot read at all, or a
        // message without a single header, is not one.
        let message = MessageParser::default()
            .parse(bytes)
            .filter(|m| !m.headers().is_empty())
            .ok_or(Refusal::Unreadable)?;
        Ok(Mail { message })
    }

    /// The parts that may hold a report, in the message's order (the body before the
    /// attachments, as senders write them).
    pub fn parts(&self) -> impl Iterator<Item = Part<'_>> {
        self.message.parts.iter().filter_map(|part| {
            let kind = kind(part)?;
            Some(Part {
                kind,
                message: &self.message,
                part,
            })
        })
    }

    /// The `Date:` header in RFC 3339 ([`crate::date::header_date`]).
    pub fn date(&self, zone: &jiff::tz::TimeZone) -> Result<String, Refusal> {
        let raw = self
            .message
            .header_raw(HeaderName::Date)
            .ok_or(Refusal::NoDate)?;
        crate::date::header_date(raw, zone)
    }
}

fn kind(part: &MessagePart<'_>) -> Option<PartKind> {
    let text = match &part.body {
        PartType::Text(text) => Some(text),
        PartType::Binary(_) | PartType::InlineBinary(_) => None,
        // Containers are walked through `parts`; HTML is no report format; a forwarded
        // message (message/rfc822) is another sender's mail, not this one's report.
        PartType::Html(_) | PartType::Multipart(_) | PartType::Message(_) => return None,
    };
    let name = part
        .attachment_name()
        .map(|n| n.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let mime = part
        .content_type()
        .map(|ct| {
            format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_ascii_lowercase()
        })
        .unwrap_or_default();
    if name.ends_with(".json") || mime == "application/json" {
        Some(PartKind::Json)
    } else if name.ends_with(".csv") || mime == "text/csv" {
        Some(PartKind::Csv)
    } else {
        // Other binary attachments (images, PDF) hold no report we read.
        text.map(|text| {
            if looks_like_json(text) {
                PartKind::Json
            } else {
                PartKind::Text
            }
        })
    }
}

impl Part<'_> {
    /// The part as text: text parts as mail-parser decoded them (by their charset), other
    /// parts as UTF-8.
    pub fn text(&self) -> Cow<'_, str> {
        match &self.part.body {
            PartType::Text(text) => Cow::Borrowed(strip_bom(text)),
            _ => match String::from_utf8_lossy(self.part.contents()) {
                Cow::Borrowed(s) => Cow::Borrowed(strip_bom(s)),
                Cow::Owned(s) => Cow::Owned(strip_bom(&s).to_string()),
            },
        }
    }

    /// A CSV part as text. A part that names its charset was decoded by mail-parser; for
    /// one that does not (site tools rarely do), the bytes are UTF-8 (with or without BOM)
    /// when they are valid UTF-8, else Shift_JIS, what Japanese Excel and Windows tools write.
    pub fn csv_text(&self) -> Cow<'_, str> {
        let named = self
            .part
            .content_type()
            .is_some_and(|ct| ct.attribute("charset").is_some());
        let bytes: Cow<'_, [u8]> = match &self.part.body {
            PartType::Text(text) if named => return Cow::Borrowed(strip_bom(text)),
            // mail-parser made text of it as UTF-8, replacing what was not: the bytes are
            // taken again from the raw part, decoded by mail-parser's own decoders.
            PartType::Text(_) => self.raw_bytes(),
            _ => Cow::Borrowed(self.part.contents()),
        };
        let bytes = bytes
            .strip_prefix(b"\xef\xbb\xbf")
            .unwrap_or(&bytes)
            .to_vec();
        match String::from_utf8(bytes) {
            Ok(text) => Cow::Owned(text),
            Err(e) => Cow::Owned(
                encoding_rs::SHIFT_JIS
                    .decode_without_bom_handling(e.as_bytes())
                    .0
                    .into_owned(),
            ),
        }
    }

    /// The part's body bytes after its transfer encoding, before any charset.
    fn raw_bytes(&self) -> Cow<'_, [u8]> {
        let raw = self.message.raw_message();
        let start = self.part.raw_body_offset() as usize;
        let end = (self.part.raw_end_offset() as usize).min(raw.len());
        let Some(body) = raw.get(start..end) else {
            return Cow::Borrowed(self.part.contents());
        };
        let decoded = match self.part.encoding {
            Encoding::Base64 => base64_decode(body),
            Encoding::QuotedPrintable => quoted_printable_decode(body),
            Encoding::None => return Cow::Borrowed(body),
        };
        decoded.map_or(Cow::Borrowed(self.part.contents()), Cow::Owned)
    }
}

/// A text that begins as the ingest body does: an object, or an array of objects (`[{`,
/// `[]`). A text that begins `[Automatic message]` is prose for the text formats.
fn looks_like_json(text: &str) -> bool {
    let start = strip_bom(text).trim_start();
    match start.strip_prefix('[') {
        Some(rest) => rest.trim_start().starts_with(['{', ']']),
        None => start.starts_with('{'),
    }
}

fn strip_bom(s: &str) -> &str {
    s.strip_prefix('\u{feff}').unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_recognised_by_its_opening_brackets() {
        for text in ["{\"serial\"", "\u{feff} [\n {", "[]", "{"] {
            assert!(looks_like_json(text), "{text:?}");
        }
        for text in ["[Automatic message] serial: A", "serial: A", "", "[1]"] {
            assert!(!looks_like_json(text), "{text:?}");
        }
    }

    #[test]
    fn mail_parser_reads_a_zone_name_it_does_not_know_as_utc() {
        // Why `crate::date` reads the Date: header itself: mail-parser has no "unknown"
        // zone, and files a device's 09:00 JST at 09:00 UTC.
        let message = MessageParser::default()
            .parse(b"Date: Tue, 1 Dec 2026 09:00:00 JST\n\nx\n")
            .unwrap();
        let date = message.date().unwrap();
        assert_eq!((date.hour, date.tz_hour, date.tz_minute), (9, 0, 0));
    }
}
