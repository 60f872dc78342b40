//! Readers never panic on corrupt input: they return an error (property tests).
use mi_data::pickle::{read_mnist_pickle, write_mnist_pickle};
use proptest::prelude::*;

fn valid_pickle() -> Vec<u8> {
    let x: Vec<u8> = (0..2 * 784).map(|i| (i % 256) as u8).collect();
    let v: Vec<u8> = vec![3; 784];
    write_mnist_pickle(&[(&x, &[1, 2]), (&v, &[3]), (&v, &[4])])
}

proptest! {
    #[test]
    fn mutated_pickles_never_panic(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6), cut in any::<usize>()) {
        let mut b = valid_pickle();
        for (pos, val) in flips {
            let i = pos % b.len();
            b[i] = val;
        }
        let cut = cut % (b.len() + 1);
        if let Ok(p) = read_mnist_pickle(&b[..cut]) {
            // whatever parses must still be checked value by value
            let _ = p.train.pixels();
            let _ = p.train.labels();
        }
    }

    #[test]
    fn random_idx_files_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64), magic in 0usize..3) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        let mut b = bytes;
        if magic > 0 && b.len() >= 4 {
            b[..4].copy_from_slice(&[0, 0, 8, if magic == 1 { 1 } else { 3 }]);
        }
        std::fs::write(&p, &b).unwrap();
        let _ = mi_data::idx::read_images(&p);
        let _ = mi_data::idx::read_labels(&p);
        let _ = mi_data::cifar10::read_batch(&p);
    }
}

#[test]
fn the_valid_pickle_parses() {
    assert!(read_mnist_pickle(&valid_pickle()).is_ok());
}
