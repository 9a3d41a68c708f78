//! What the forms of every screen share: a submitted form whose fields repeat, and the
//! messages of a refused form by field, in the user's language.
//!
//! Screen modules import these from here, never from one another.

use std::collections::BTreeMap;

use meterport_domain::policy::FieldError;

use super::Lang;
use crate::i18n;

/// A submitted form whose fields may repeat (`id=1&id=2`), which `axum::Form` cannot read
/// into a list.
#[derive(Debug, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of a field, or "".
    pub fn value(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The values of a repeated id field. `None` when one is not a positive number: a form
    /// of ours never sends that, so the caller treats it as a refused choice.
    pub fn ids(&self, name: &str) -> Option<Vec<i64>> {
        self.all(name)
            .into_iter()
            .map(|v| v.trim().parse::<i64>().ok().filter(|id| *id > 0))
            .collect()
    }
}

/// A rule's English message as a sentence next to its field: the API gives it as a
/// continuation of the field's name ("is required"), a form shows "Is required.".
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Messages by field, for the form templates.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(pub BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn from_policy(lang: Lang, errors: &[FieldError]) -> FieldErrors {
        let mut map = BTreeMap::new();
        for e in errors {
            let msg = match lang {
                Lang::Ja => i18n::problem(lang, &e.problem),
                Lang::En => sentence(&i18n::problem(lang, &e.problem)),
            };
            map.entry(e.field)
                .and_modify(|m: &mut String| {
                    // Japanese sentences run on without a space.
                    if lang == Lang::En {
                        m.push(' ');
                    }
                    m.push_str(&msg);
                })
                .or_insert(msg);
        }
        FieldErrors(map)
    }

    pub fn add(&mut self, field: &'static str, message: String) {
        self.0.insert(field, message);
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
