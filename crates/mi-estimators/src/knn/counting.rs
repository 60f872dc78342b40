//! A stable counting sort by small integer bucket: the grid's cells (`grid.rs`) and the sorted
//! axis's buckets (`axis.rs`) are both filled by it.

/// Items `0..buckets.len()` ordered by their bucket, increasing item index within a bucket:
/// returns `(start, order)`, where `order[start[b]..start[b + 1]]` are bucket b's items
/// (`start` has `n_buckets + 1` entries). Every bucket must be below `n_buckets`, and the item
/// count must fit a `u32`.
pub(crate) fn by_bucket(buckets: &[u32], n_buckets: usize) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n_buckets + 1];
    for &b in buckets {
        start[b as usize + 1] += 1;
    }
    for b in 0..n_buckets {
        start[b + 1] += start[b];
    }
    let mut next = start.clone();
    let mut order = vec![0u32; buckets.len()];
    for (i, &b) in buckets.iter().enumerate() {
        order[next[b as usize] as usize] = i as u32;
        next[b as usize] += 1;
    }
    (start, order)
}

#[cfg(test)]
mod tests {
    #[test]
    fn items_come_out_by_bucket_then_index() {
        let buckets = [3, 0, 3, 1, 0, 3];
        let (start, order) = super::by_bucket(&buckets, 5);
        assert_eq!(start, vec![0, 2, 3, 3, 6, 6]);
        assert_eq!(order, vec![1, 4, 3, 0, 2, 5]);
        assert_eq!(super::by_bucket(&[], 2), (vec![0, 0, 0], vec![]));
    }
}
