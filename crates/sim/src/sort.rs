//! Stable sorting through one shared merge sort. The standard library's `slice::sort*` (and so
//! `sort_by_key`) is compiled anew for every element type and comparator: about 3.5 KB of wasm
//! each, and the page held 44 of them. Here only a small step per type is generic (putting the
//! elements in the order found); the merge sort itself runs once over indices. The result is
//! exactly the standard stable sort's: equal elements keep their order.

use std::cmp::Ordering;

/// The order of `0..n` a stable sort gives by `less(i, j)` (is element `i` before element `j`?).
fn order(n: usize, less: &mut dyn FnMut(usize, usize) -> bool) -> Option<Vec<usize>> {
    if (1..n).all(|i| !less(i, i - 1)) {
        return None; // already in order: nothing moves
    }
    let mut a: Vec<usize> = (0..n).collect();
    let mut b = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j, mut k) = (lo, mid, lo);
            while i < mid && j < hi {
                // Take from the right only when strictly less: stability.
                if less(a[j], a[i]) {
                    b[k] = a[j];
                    j += 1;
                } else {
                    b[k] = a[i];
                    i += 1;
                }
                k += 1;
            }
            b[k..k + mid - i].copy_from_slice(&a[i..mid]);
            k += mid - i;
            b[k..k + hi - j].copy_from_slice(&a[j..hi]);
            lo = hi;
        }
        std::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    Some(a)
}

/// `v.sort_by(cmp)`, stable.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let Some(mut perm) = order(v.len(), &mut |i, j| cmp(&v[i], &v[j]) == Ordering::Less) else { return };
    // Element k of the result is element perm[k] of the input: follow each cycle with swaps,
    // marking a position done by pointing it at itself.
    for start in 0..v.len() {
        let mut k = start;
        while perm[k] != start && perm[k] != k {
            let src = perm[k];
            v.swap(k, src);
            perm[k] = k;
            k = src;
        }
        perm[k] = k;
    }
}

/// `v.sort_by_key(key)`, stable.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)))
}

/// `v.sort()`, stable.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn sorts_as_the_standard_stable_sort_does() {
        let mut rng = Rng::new(7);
        for n in 0..200 {
            let v: Vec<(u64, usize)> = (0..n).map(|i| (rng.next_u64() % 7, i)).collect();
            let (mut ours, mut std) = (v.clone(), v.clone());
            sort_by_key(&mut ours, |e| e.0); // equal keys: the second field shows the order kept
            std.sort_by_key(|e| e.0);
            assert_eq!(ours, std, "n = {n}");
            let mut ours = v.clone();
            sort(&mut ours);
            let mut std = v.clone();
            std.sort();
            assert_eq!(ours, std);
        }
    }
}
