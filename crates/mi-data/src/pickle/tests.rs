//! Tests of the pickle reader and writer.
use super::*;

type Sample = (Vec<u8>, Vec<i64>, Vec<u8>, Vec<i64>, Vec<u8>, Vec<i64>);

fn sample() -> Sample {
    let px = |n: usize, s: usize| (0..n * 784).map(|i| ((i * 7 + s) % 256) as u8).collect::<Vec<u8>>();
    (px(3, 0), vec![5, 0, 4], px(2, 1), vec![1, 9], px(1, 2), vec![7])
}

#[test]
fn reads_what_it_writes() {
    let (a, ay, b, by, c, cy) = sample();
    let bytes = write_mnist_pickle(&[(&a, &ay), (&b, &by), (&c, &cy)]);
    let p = read_mnist_pickle(&bytes).unwrap();
    assert_eq!(p.train.images.shape, vec![3, 784]);
    assert_eq!(p.train.pixels().unwrap(), a);
    assert_eq!(p.train.labels().unwrap(), vec![5, 0, 4]);
    assert_eq!(p.valid.pixels().unwrap(), b);
    assert_eq!(p.valid.labels().unwrap(), vec![1, 9]);
    assert_eq!(p.test.pixels().unwrap(), c);
    assert_eq!(p.test.labels().unwrap(), vec![7]);
}

#[test]
fn the_writer_matches_numpys_opcode_layout() {
    // The head of the real mnist.pkl (numpy 1.x, protocol 2), up to the first array's data.
    let (a, ay, b, by, c, cy) = sample();
    let bytes = write_mnist_pickle(&[(&a, &ay), (&b, &by), (&c, &cy)]);
    let mut head = vec![0x80, 2];
    head.extend_from_slice(b"cnumpy.core.multiarray\n_reconstruct\nq\x01cnumpy\nndarray\nq\x02K\x00\x85U\x01b\x87Rq\x03(K\x01K\x03M\x10\x03\x86cnumpy\ndtype\nq\x04U\x02f4K\x00K\x01\x87Rq\x05(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89T");
    assert_eq!(&bytes[..head.len()], head.as_slice());
}

fn expect_err(bytes: &[u8], needle: &str) {
    let e = read_mnist_pickle(bytes).unwrap_err();
    assert!(e.contains(needle), "expected '{needle}' in: {e}");
}

#[test]
fn refuses_anything_else() {
    let (a, ay, b, by, c, cy) = sample();
    let good = write_mnist_pickle(&[(&a, &ay), (&b, &by), (&c, &cy)]);
    // another protocol
    let mut p = good.clone();
    p[1] = 4;
    expect_err(&p, "protocol-2");
    // a dangerous global (the classic exploit)
    let evil = b"\x80\x02cos\nsystem\nq\x01U\x02lsq\x02\x85Rq\x03.";
    expect_err(evil, "refusing global 'os.system'");
    // an opcode outside the layout (BINUNICODE)
    expect_err(b"\x80\x02X\x01\x00\x00\x00a.", "opcode 0x58");
    // truncated
    expect_err(&good[..good.len() / 2], "truncated");
    // trailing garbage
    let mut p = good.clone();
    p.push(0);
    expect_err(&p, "after the end");
    // big-endian dtype
    let mut p = good.clone();
    let at = p.windows(3).position(|w| w == b"U\x01<").unwrap();
    p[at + 2] = b'>';
    expect_err(&p, "unexpected BUILD");
    // wrong dtype
    let mut p = good.clone();
    let at = p.windows(4).position(|w| w == b"U\x02f4").unwrap();
    p[at + 3] = b'8';
    expect_err(&p, "dtype 'f8' is not float32 or int64");
    // a value that is not pixel/256
    let mut p = good.clone();
    let at = p.windows(1).position(|w| w == b"T").unwrap() + 5;
    p[at..at + 4].copy_from_slice(&0.3f32.to_le_bytes());
    assert!(read_mnist_pickle(&p).unwrap().train.pixels().unwrap_err().contains("0.3"));
    // a label out of range
    let bad = write_mnist_pickle(&[(&a, &[5, 0, 10]), (&b, &by), (&c, &cy)]);
    assert!(read_mnist_pickle(&bad).unwrap().train.labels().unwrap_err().contains("label 10"));
    // counts that disagree
    let bad = write_mnist_pickle(&[(&a, &[5, 0]), (&b, &by), (&c, &cy)]);
    expect_err(&bad, "3 images but 2 labels");
    // data length that disagrees with the shape
    let mut p = good.clone();
    let at = p.windows(4).position(|w| w == b"K\x01K\x03").unwrap();
    p[at + 3] = 4;
    expect_err(&p, "needs 12544 bytes");
    // empty input
    expect_err(&[], "truncated");
}
