//! CIFAR-10 at its real size, from a synthetic archive of the official layout: extraction with the
//! official sizes, loading, the MD5SUMS written at extraction, and `verify` catching a flipped byte.
use mi_data::cifar10::{self, ARCHIVE_FOLDER, PER_FILE, RECORD, TEST_FILE, TRAIN_FILES};
use std::io::Write;

fn batch(k: usize) -> Vec<u8> {
    let mut b = vec![0u8; PER_FILE * RECORD];
    for i in 0..PER_FILE {
        b[i * RECORD] = ((i + k) % 10) as u8;
        b[i * RECORD + 1] = k as u8; // first red pixel: which file
        b[i * RECORD + RECORD - 1] = (i % 256) as u8; // last blue pixel: which record
    }
    b
}

#[test]
fn full_size_extract_load_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut tar = tar::Builder::new(Vec::new());
    for (k, name) in TRAIN_FILES.iter().chain([&TEST_FILE]).enumerate() {
        let data = batch(k);
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, format!("{ARCHIVE_FOLDER}/{name}"), data.as_slice()).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    let archive = dir.path().join("synthetic.tar.gz");
    std::fs::write(&archive, gz.finish().unwrap()).unwrap();

    let out = dir.path().join("cifar10");
    cifar10::extract(&archive, &out, Some((PER_FILE * RECORD) as u64)).unwrap();
    let c = cifar10::load(&out).unwrap();
    assert_eq!(c.train_images.shape(), &[50_000, 3, 32, 32]);
    assert_eq!(c.test_images.shape(), &[10_000, 3, 32, 32]);
    // training batches concatenated in order: record 10,001 is the second record of batch 2
    assert_eq!(c.train_images[[10_001, 0, 0, 0]], 1);
    assert_eq!(c.train_images[[10_001, 2, 31, 31]], 1);
    assert_eq!(c.train_labels[10_001], 2);
    assert_eq!(c.test_images[[0, 0, 0, 0]], 5);
    let report = cifar10::verify(&out).unwrap();
    assert!(report.contains("6 match the MD5s recorded"), "{report}");

    let p = out.join("data_batch_3.bin");
    let mut b = std::fs::read(&p).unwrap();
    b[12_345] ^= 0x10;
    std::fs::write(&p, &b).unwrap();
    cifar10::load(&out).unwrap(); // sizes are fine: loading does not hash
    let e = cifar10::verify(&out).unwrap_err().to_string();
    assert!(e.contains("data_batch_3.bin: checksum mismatch"), "{e}");

    std::fs::write(&p, &b[..b.len() - 1]).unwrap();
    let e = cifar10::load(&out).unwrap_err().to_string();
    assert!(e.contains("data_batch_3.bin: truncated file: expected 30730000 bytes (10000 records of 3073), found 30729999 bytes"), "{e}");
}
