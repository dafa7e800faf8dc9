//! Text cut short at a word's edge. Answers are scrubbed of credentials after they are cut, and
//! a credential cut in two would no longer read as one: a URL cut before its `@`, a
//! `password=` cut inside its value, a secret the settings hold (found by its whole value). So
//! the word a limit falls in is left out whole, never shown in part.

/// `text` cut to at most `max` bytes, at whitespace: the word the limit falls in is left out.
/// A text of one long word is cut to nothing.
pub(crate) fn at_word(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if !text[end..].starts_with(char::is_whitespace) {
        end = text[..end].rfind(char::is_whitespace).unwrap_or(0);
    }
    text[..end].trim_end()
}

#[cfg(test)]
mod tests {
    use super::at_word;

    #[test]
    fn a_cut_leaves_out_the_word_it_falls_in() {
        assert_eq!(at_word("short", 10), "short");
        assert_eq!(at_word("one two three", 7), "one two");
        assert_eq!(at_word("one two three", 8), "one two");
        assert_eq!(at_word("one two three", 5), "one");
        assert_eq!(at_word("secret-R21e6x-value and more", 10), "");
        assert_eq!(at_word("é é é", 4), "é");
        assert_eq!(at_word(&"y".repeat(600), 500), "");
    }
}
