//! How a person is named on screens and in mails.

/// The order of a person's names: family name first in Japanese, given name first in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameOrder {
    FamilyFirst,
    GivenFirst,
}

impl crate::labels::Lang {
    /// How this language orders a person's names.
    pub fn name_order(self) -> NameOrder {
        match self {
            crate::labels::Lang::Ja => NameOrder::FamilyFirst,
            crate::labels::Lang::En => NameOrder::GivenFirst,
        }
    }
}

/// A user's name as people read it: both names in the language's order, one of them when
/// only one is given, the user name when the user has given none.
pub fn display_name(order: NameOrder, first: &str, last: &str, username: &str) -> String {
    let (first, last) = (first.trim(), last.trim());
    let (a, b) = match order {
        NameOrder::FamilyFirst => (last, first),
        NameOrder::GivenFirst => (first, last),
    };
    match (a.is_empty(), b.is_empty()) {
        (true, true) => username.to_string(),
        (false, true) => a.to_string(),
        (true, false) => b.to_string(),
        (false, false) => format!("{a} {b}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_language_and_fall_back_to_the_user_name() {
        use NameOrder::*;
        assert_eq!(
            display_name(FamilyFirst, "Taro", "Yamada", "t"),
            "Yamada Taro"
        );
        assert_eq!(
            display_name(GivenFirst, "Taro", "Yamada", "t"),
            "Taro Yamada"
        );
        assert_eq!(display_name(GivenFirst, "", "Yamada", "t"), "Yamada");
        assert_eq!(display_name(FamilyFirst, " Taro ", "", "t"), "Taro");
        assert_eq!(display_name(FamilyFirst, " ", "", "taro"), "taro");
    }
}
