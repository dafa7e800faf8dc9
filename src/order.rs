//! One stable sort for everything the crate puts in order (issue 16): the standard library's sort
//! is machine code of a few KB for each element type it sorts, so rows are put in order through
//! one sort of their positions instead.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, stably, as `sort_by` would.
pub fn sort_rows_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = stable_order(items.len(), &|a, b| compare(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// The positions `0..len` stably sorted by `compare`: the one sort every row type shares, a
/// merge sort of a few hundred bytes (the standard library's is a few KB).
#[inline(never)]
fn stable_order(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut merged = vec![0; len];
    let mut width = 1;
    while width < len {
        let mut start = 0;
        while start < len {
            let middle = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            let (mut left, mut right) = (start, middle);
            for slot in &mut merged[start..end] {
                // The right run goes first only when it sorts strictly before: equal rows keep
                // their order.
                let from_right = left == middle
                    || (right < end && compare(order[right], order[left]) == Ordering::Less);
                if from_right {
                    *slot = order[right];
                    right += 1;
                } else {
                    *slot = order[left];
                    left += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_as_sort_by_does_and_keeps_equal_rows_in_order() {
        let rows = vec![(3, 'a'), (1, 'b'), (3, 'c'), (0, 'd'), (1, 'e'), (2, 'f')];
        let mut ours = rows.clone();
        super::sort_rows_by(&mut ours, |a, b| a.0.cmp(&b.0));
        let mut theirs = rows;
        theirs.sort_by_key(|row| row.0);
        assert_eq!(ours, theirs);
        // Every length up to 70, with few distinct keys (many equal rows), from a fixed
        // pseudo-random sequence.
        let mut seed = 7u32;
        for len in 0..70 {
            let rows: Vec<(u32, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((seed >> 16) % 5, i)
                })
                .collect();
            let mut ours = rows.clone();
            super::sort_rows_by(&mut ours, |a, b| b.0.cmp(&a.0));
            let mut theirs = rows;
            theirs.sort_by_key(|row| std::cmp::Reverse(row.0));
            assert_eq!(ours, theirs, "{len}");
        }
        let mut empty: Vec<u8> = Vec::new();
        super::sort_rows_by(&mut empty, u8::cmp);
        assert!(empty.is_empty());
    }
}
