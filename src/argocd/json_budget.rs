//! How much parsing an answer would cost, known before it is parsed. A JSON text's size says
//! little about the memory its parse takes: `[0,0,0,…]` is two bytes a value, and each value
//! parsed is a few dozen bytes, so 30 MiB of it is most of a gigabyte as a tree. Counting the
//! values first (one pass, no allocation) lets an answer that would not fit be refused with a
//! clear error instead of the component running out of memory.

/// Bytes a parsed value may take, on average, before its count is too many: a value of a
/// `serde_json::Value` tree is 16 to 32 bytes plus its map or list slot.
pub const BYTES_PER_VALUE: usize = 32;

/// Counts the values in a JSON text (every scalar, list and object; keys are not counted), not
/// looking into strings. Malformed text gets a count too; the parser then says what is wrong.
pub fn count_values(text: &[u8]) -> usize {
    let mut values = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // Whether the last structural token leaves a value to come (start, `[`, `,` in a list,
    // `:`); a `,` in an object is followed by a key, which is no value.
    let mut expecting_value = true;
    let mut containers: Vec<bool> = Vec::new(); // true: a list
    for &byte in text {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b' ' | b'\n' | b'\r' | b'\t' => {}
            b'[' | b'{' => {
                values += 1;
                // Deeper than any parser goes (serde_json stops at 128): the count so far
                // decides, and the parser refuses the rest.
                if containers.len() < 1024 {
                    containers.push(byte == b'[');
                }
                expecting_value = byte == b'[';
            }
            b']' | b'}' => {
                containers.pop();
                expecting_value = false;
            }
            b',' => expecting_value = containers.last().copied().unwrap_or(false),
            b':' => expecting_value = true,
            b'"' => {
                in_string = true;
                if expecting_value {
                    values += 1;
                    expecting_value = false;
                }
            }
            _ => {
                if expecting_value {
                    values += 1;
                    expecting_value = false;
                }
            }
        }
    }
    values
}

/// The most values an answer of at most `cap` bytes may hold: what its parse can take in about
/// the memory the answer itself does.
pub fn max_values(cap: usize) -> usize {
    (cap / BYTES_PER_VALUE).max(100_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_counted_keys_and_strings_contents_are_not() {
        assert_eq!(count_values(b"[0,0,0]"), 4);
        assert_eq!(count_values(br#"{"a":1,"b":[true,null],"c":"x,y:[{"}"#), 6);
        assert_eq!(count_values(br#""a\"b""#), 1);
        assert_eq!(count_values(b"[[[[]]]]"), 4);
        assert_eq!(count_values(b""), 0);
        // A list of small values: about half its length.
        let list = format!("[{}0]", "0,".repeat(1000));
        assert_eq!(count_values(list.as_bytes()), 1002);
    }

    #[test]
    fn the_budget_grows_with_the_cap_and_has_a_floor() {
        assert_eq!(max_values(32 << 20), 1 << 20);
        assert_eq!(max_values(1 << 10), 100_000);
    }
}
