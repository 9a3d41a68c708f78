//! What the pages reached from links in mails share: where the links lead, and the page of a
//! link that no longer works.

use askama::Template;

use super::PageCtx;
use crate::app::AppState;
use crate::service::recovery::Links;

/// The portal's public address without a trailing slash, for links in mails.
pub fn public_base(state: &AppState) -> &str {
    state.web.public_url.trim_end_matches('/')
}

/// Where the links of mails lead, and the sender that delivers them.
pub fn links(state: &AppState) -> Links<'_> {
    Links {
        public_base: public_base(state),
        mailer: &state.mail,
    }
}

#[derive(Template)]
#[template(path = "link_invalid.html")]
pub struct LinkInvalidPage {
    pub ctx: PageCtx,
    pub body: &'static str,
    /// Where to ask for a new link, and the words of that link.
    pub again_href: &'static str,
    pub again_label: &'static str,
}
