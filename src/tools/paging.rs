//! Pages of long lists: the bounds a caller may ask for and the page they get.

use crate::argocd::ArgoError;

/// One page of `items`: `(total, page, next_offset)`.
pub fn paginate<T>(items: Vec<T>, limit: usize, offset: usize) -> (usize, Vec<T>, Option<usize>) {
    let total = items.len();
    let offset = offset.min(total);
    let page: Vec<T> = items.into_iter().skip(offset).take(limit).collect();
    let end = offset + page.len();
    (total, page, (end < total).then_some(end))
}

/// Checks `limit`/`offset` and applies the defaults.
pub fn page_bounds(
    limit: Option<usize>,
    offset: Option<usize>,
    default: usize,
    max: usize,
) -> Result<(usize, usize), ArgoError> {
    let limit = limit.unwrap_or(default);
    if limit == 0 || limit > max {
        return Err(ArgoError::invalid_input(format!(
            "limit must be between 1 and {max} (got {limit}); page with offset instead"
        )));
    }
    Ok((limit, offset.unwrap_or(0)))
}
