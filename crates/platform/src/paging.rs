//! Keyset paging, shared by every list: ask the store for one row more than a
//! page; if it came, there is a next page, which starts after the page's last key.

/// Cuts `rows` (fetched with a limit of `size + 1`) to one page of `size`, and
/// returns the key of its last row when more rows follow.
pub(crate) fn keyset_page<T, K>(
    mut rows: Vec<T>,
    size: i64,
    key: impl Fn(&T) -> K,
) -> (Vec<T>, Option<K>) {
    let size = usize::try_from(size).unwrap_or(0);
    let more = rows.len() > size;
    rows.truncate(size);
    let next = if more { rows.last().map(key) } else { None };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::keyset_page;

    #[test]
    fn a_next_key_exactly_when_more_than_a_page_came() {
        assert_eq!(keyset_page(vec![5, 4, 3], 2, |r| *r), (vec![5, 4], Some(4)));
        assert_eq!(keyset_page(vec![5, 4], 2, |r| *r), (vec![5, 4], None));
        assert_eq!(keyset_page(Vec::<i64>::new(), 2, |r| *r), (vec![], None));
    }
}
