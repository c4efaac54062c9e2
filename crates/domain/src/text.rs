//! Text people type into one-line fields (names of deals, accounts, partners, people, rules,
//! keys): what the app keeps of it, and what it refuses. Surrounding white space and invisible
//! format characters (zero-width spaces and joiners, word joiners, byte-order marks) are
//! trimmed, so a name made only of them is empty. Control characters and the bidirectional
//! embedding, override and isolate characters are refused anywhere: they hide or reorder what
//! other users read (a name that displays as "Apex" but sorts, matches and exports as
//! something else). Joiners inside a name stay: emoji and several scripts need them.

/// Characters that take no room on screen.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{180e}' | '\u{00ad}'
    )
}

/// Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A one-line field's value: trimmed of white space and invisible characters at both ends;
/// `Err` with the message for the field when it holds control or bidirectional-override
/// characters. Callers check emptiness and length on the result.
pub fn line(value: &str) -> Result<String, String> {
    let trimmed = value.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if trimmed
        .chars()
        .any(|c| c.is_control() || is_bidi_control(c))
    {
        return Err(
            "Remove the control or text-direction characters (often pasted in unseen).".into(),
        );
    }
    Ok(trimmed.to_owned())
}

/// A required one-line field (see [`line`]): `what` names it in "Enter {what}.".
pub fn required(value: &str, what: &str, max: usize) -> Result<String, String> {
    let value = line(value)?;
    if value.is_empty() {
        Err(format!("Enter {what}."))
    } else if value.chars().count() > max {
        Err(format!("Use at most {max} characters."))
    } else {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_fields_need_something_visible_within_the_limit() {
        assert_eq!(required(" Apex ", "a name", 10).unwrap(), "Apex");
        assert_eq!(
            required("\u{200b}\u{200b}", "the partner's name", 10).unwrap_err(),
            "Enter the partner's name."
        );
        assert_eq!(
            required("abcdefghijk", "a name", 10).unwrap_err(),
            "Use at most 10 characters."
        );
        assert!(required("a\u{202e}b", "a name", 10).is_err());
    }

    #[test]
    fn invisible_ends_are_trimmed_and_leave_nothing_of_an_invisible_name() {
        assert_eq!(line("  Apex Cloud \u{200b}").unwrap(), "Apex Cloud");
        assert_eq!(line("\u{feff}Globex").unwrap(), "Globex");
        for empty in [
            "",
            "   ",
            "\u{200b}\u{200c}\u{200d}",
            "\u{2060}\u{feff} \u{200b}",
        ] {
            assert_eq!(line(empty).unwrap(), "", "{empty:?}");
        }
        // Joiners inside a name are part of it.
        assert_eq!(line("👩\u{200d}💻 Labs").unwrap(), "👩\u{200d}💻 Labs");
        assert_eq!(line("Müller & Søn").unwrap(), "Müller & Søn");
    }

    #[test]
    fn control_and_direction_characters_are_refused() {
        for bad in [
            "Apex\u{202e}duolC",
            "\u{2066}Apex\u{2069}",
            "Apex\u{0}",
            "Apex\nCloud",
            "Apex\tCloud",
            "Apex\u{7f}",
            "Ap\u{85}ex",
        ] {
            assert!(line(bad).is_err(), "{bad:?}");
        }
    }
}
