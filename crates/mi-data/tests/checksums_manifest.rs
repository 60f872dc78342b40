//! `datasets/checksums.txt` (for people) and the constants in the code (for the program) agree.
use mi_data::{cifar10, mnist};
use std::path::Path;

#[test]
fn manifest_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/checksums.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect())
        .collect();
    let find = |name: &str| rows.iter().find(|r| r.last() == Some(&name)).unwrap_or_else(|| panic!("{name} not in {}", path.display())).clone();
    for f in mnist::FILES {
        let r = find(&format!("mnist/{}", f.name));
        assert_eq!(r[..3], ["md5", f.md5, &f.len.to_string()], "{}", f.name);
    }
    let r = find(mnist::PYPI_WHEEL);
    assert_eq!(r[..2], ["sha256", mnist::PYPI_WHEEL_SHA256]);
    let r = find(&format!("cifar10/{}", cifar10::ARCHIVE));
    assert_eq!(r[..3], ["md5", cifar10::ARCHIVE_MD5, &cifar10::ARCHIVE_LEN.to_string()]);
    assert_eq!(rows.len(), 6, "every row is checked");
}
