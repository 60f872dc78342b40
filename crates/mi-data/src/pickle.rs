//! A strict reader of one pickle layout: the classic `mnist.pkl.gz` (protocol 2), a tuple
//! `((train_x, train_y), (valid_x, valid_y), (test_x, test_y))` of NumPy arrays as NumPy pickles
//! them (`numpy.core.multiarray._reconstruct`, a little-endian `float32` image matrix `n × 784`
//! and an `int64` label vector `n`).
//!
//! Nothing is ever executed. The reader understands only the ~20 opcodes that layout uses and only
//! the three globals it names (`_reconstruct`, `ndarray`, `dtype`), each applied to exactly the
//! arguments NumPy writes; anything else is refused with the byte offset where it was found. Array
//! data are borrowed from the input, not copied.
use std::collections::HashMap;

/// Element type of a pickled array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// `<f4`
    F32,
    /// `<i8`
    I64,
}

impl Dtype {
    fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::I64 => 8,
        }
    }
}

/// A NumPy array read from the pickle: its shape, element type and raw little-endian bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickledArray<'a> {
    pub shape: Vec<usize>,
    pub dtype: Dtype,
    pub data: &'a [u8],
}

/// One split: images `n × 784` (`float32`) and labels `n` (`int64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickledSplit<'a> {
    pub images: PickledArray<'a>,
    pub labels: PickledArray<'a>,
}

/// The three splits of `mnist.pkl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MnistPickle<'a> {
    pub train: PickledSplit<'a>,
    pub valid: PickledSplit<'a>,
    pub test: PickledSplit<'a>,
}

impl PickledSplit<'_> {
    /// The images as bytes: every value must be exactly `pixel / 256` for a pixel in `0..=255`.
    pub fn pixels(&self) -> Result<Vec<u8>, String> {
        self.images
            .data
            .chunks_exact(4)
            .enumerate()
            .map(|(i, c)| {
                let v = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                let p = v * 256.0; // exact: a power of two
                if p.fract() == 0.0 && (0.0..=255.0).contains(&p) {
                    Ok(p as u8)
                } else {
                    Err(format!("image value {v} at flat index {i} is not pixel/256 for a pixel in 0..=255"))
                }
            })
            .collect()
    }

    /// The labels as bytes: every value must be in `0..=9`.
    pub fn labels(&self) -> Result<Vec<u8>, String> {
        self.labels
            .data
            .chunks_exact(8)
            .enumerate()
            .map(|(i, c)| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                let v = i64::from_le_bytes(b);
                u8::try_from(v).ok().filter(|&l| l < 10).ok_or_else(|| format!("label {v} at index {i} is not in 0..=9"))
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Global {
    Reconstruct,
    Ndarray,
    DtypeType,
}

#[derive(Debug, Clone)]
enum Obj<'a> {
    Dtype { dtype: Dtype, built: bool },
    EmptyArray,
    Array(PickledArray<'a>),
}

#[derive(Debug, Clone)]
enum Value<'a> {
    Mark,
    None,
    Bool(bool),
    Int(i64),
    Str(&'a [u8]),
    Tuple(Vec<Value<'a>>),
    Global(Global),
    /// A handle into the object arena: BUILD mutates objects in place, and the memo refers to
    /// them by identity, as Python does.
    Obj(usize),
}

const MAX_STACK: usize = 64;
const MAX_MEMO: usize = 256;
const MAX_OBJECTS: usize = 64;

struct Machine<'a> {
    b: &'a [u8],
    pos: usize,
    stack: Vec<Value<'a>>,
    memo: HashMap<u32, Value<'a>>,
    objects: Vec<Obj<'a>>,
}

type R<T> = Result<T, String>;

impl<'a> Machine<'a> {
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len()).ok_or_else(|| {
            format!("truncated pickle: {n} bytes needed at offset {}, {} available", self.pos, self.b.len() - self.pos)
        })?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> R<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> R<u16> {
        let s = self.take(2)?;
        Ok(u16::from_le_bytes([s[0], s[1]]))
    }
    fn i32(&mut self) -> R<i32> {
        let s = self.take(4)?;
        Ok(i32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn line(&mut self) -> R<&'a [u8]> {
        let rest = &self.b[self.pos..];
        let n = rest.iter().take(256).position(|&c| c == b'\n').ok_or("unterminated GLOBAL name")?;
        let s = &rest[..n];
        self.pos += n + 1;
        Ok(s)
    }
    fn push(&mut self, v: Value<'a>) -> R<()> {
        if self.stack.len() >= MAX_STACK {
            return Err("pickle stack too deep for the expected layout".into());
        }
        self.stack.push(v);
        Ok(())
    }
    fn pop(&mut self) -> R<Value<'a>> {
        match self.stack.pop() {
            Some(Value::Mark) | None => Err("stack underflow (malformed pickle)".into()),
            Some(v) => Ok(v),
        }
    }
    fn pop_n(&mut self, n: usize) -> R<Vec<Value<'a>>> {
        let mut v = (0..n).map(|_| self.pop()).collect::<R<Vec<_>>>()?;
        v.reverse();
        Ok(v)
    }
    fn new_obj(&mut self, o: Obj<'a>) -> R<Value<'a>> {
        if self.objects.len() >= MAX_OBJECTS {
            return Err("too many objects for the expected layout".into());
        }
        self.objects.push(o);
        Ok(Value::Obj(self.objects.len() - 1))
    }
    fn memo_put(&mut self, idx: u32) -> R<()> {
        let top = self.stack.last().cloned().ok_or("PUT on an empty stack")?;
        if matches!(top, Value::Mark) || (self.memo.len() >= MAX_MEMO && !self.memo.contains_key(&idx)) {
            return Err("unexpected memo use".into());
        }
        self.memo.insert(idx, top);
        Ok(())
    }
    fn memo_get(&mut self, idx: u32) -> R<()> {
        let v = self.memo.get(&idx).cloned().ok_or_else(|| format!("GET of unknown memo slot {idx}"))?;
        self.push(v)
    }

    fn reduce(&mut self) -> R<()> {
        let args = self.pop()?;
        let callable = self.pop()?;
        let Value::Tuple(args) = args else { return Err("REDUCE arguments are not a tuple".into()) };
        let v = match (callable, args.as_slice()) {
            (Value::Global(Global::Reconstruct), [Value::Global(Global::Ndarray), Value::Tuple(shape), Value::Str(b"b")])
                if matches!(shape.as_slice(), [Value::Int(0)]) =>
            {
                self.new_obj(Obj::EmptyArray)?
            }
            (Value::Global(Global::DtypeType), [Value::Str(descr), Value::Int(0), Value::Int(1)]) => {
                let dtype = match *descr {
                    b"f4" => Dtype::F32,
                    b"i8" => Dtype::I64,
                    d => return Err(format!("dtype '{}' is not float32 or int64", String::from_utf8_lossy(d))),
                };
                self.new_obj(Obj::Dtype { dtype, built: false })?
            }
            (c, a) => return Err(format!("refusing to call {c:?} with arguments {:?}", Brief(a))),
        };
        self.push(v)
    }

    fn build(&mut self) -> R<()> {
        let state = self.pop()?;
        let Some(Value::Obj(target)) = self.stack.last().cloned() else {
            return Err("BUILD on something that is not an ndarray or a dtype".into());
        };
        let Value::Tuple(state) = state else { return Err("BUILD state is not a tuple".into()) };
        let new = match (&self.objects[target], state.as_slice()) {
            (
                Obj::Dtype { dtype, built: false },
                [Value::Int(3), Value::Str(b"<"), Value::None, Value::None, Value::None, Value::Int(-1), Value::Int(-1), Value::Int(0)],
            ) => Obj::Dtype { dtype: *dtype, built: true },
            (Obj::EmptyArray, [Value::Int(1), Value::Tuple(shape), Value::Obj(d), Value::Bool(false), Value::Str(data)]) => {
                let Some(Obj::Dtype { dtype, built: true }) = self.objects.get(*d) else {
                    return Err("ndarray state without a little-endian dtype".into());
                };
                let shape: Vec<usize> = shape
                    .iter()
                    .map(|v| match v {
                        Value::Int(n) if *n >= 0 => Ok(*n as usize),
                        _ => Err("ndarray shape is not non-negative integers".to_string()),
                    })
                    .collect::<R<_>>()?;
                let count = shape.iter().try_fold(1usize, |a, &n| a.checked_mul(n)).ok_or("ndarray shape overflows")?;
                if count.checked_mul(dtype.size()) != Some(data.len()) {
                    return Err(format!(
                        "ndarray of shape {shape:?} and {} bytes per value needs {} bytes, found {}",
                        dtype.size(),
                        count.saturating_mul(dtype.size()),
                        data.len()
                    ));
                }
                Obj::Array(PickledArray { shape, dtype: *dtype, data })
            }
            (o, s) => return Err(format!("unexpected BUILD of {} with state {:?}", obj_name(o), Brief(s))),
        };
        self.objects[target] = new;
        Ok(())
    }

    fn run(&mut self) -> R<Value<'a>> {
        if self.take(2)? != [0x80, 2] {
            return Err("not a protocol-2 pickle (expected the bytes 0x80 0x02 first)".into());
        }
        loop {
            let at = self.pos;
            let op = self.u8()?;
            let r = match op {
                b'c' => {
                    let module = self.line()?;
                    let name = self.line()?;
                    let g = match (module, name) {
                        (b"numpy.core.multiarray", b"_reconstruct") => Global::Reconstruct,
                        (b"numpy", b"ndarray") => Global::Ndarray,
                        (b"numpy", b"dtype") => Global::DtypeType,
                        (m, n) => {
                            return Err(format!(
                                "refusing global '{}.{}' at offset {at}: only numpy's _reconstruct, ndarray and dtype are allowed",
                                String::from_utf8_lossy(m),
                                String::from_utf8_lossy(n)
                            ))
                        }
                    };
                    self.push(Value::Global(g))
                }
                b'q' => {
                    let i = self.u8()? as u32;
                    self.memo_put(i)
                }
                b'r' => {
                    let i = self.i32()? as u32;
                    self.memo_put(i)
                }
                b'h' => {
                    let i = self.u8()? as u32;
                    self.memo_get(i)
                }
                b'j' => {
                    let i = self.i32()? as u32;
                    self.memo_get(i)
                }
                b'K' => {
                    let v = self.u8()? as i64;
                    self.push(Value::Int(v))
                }
                b'M' => {
                    let v = self.u16()? as i64;
                    self.push(Value::Int(v))
                }
                b'J' => {
                    let v = self.i32()? as i64;
                    self.push(Value::Int(v))
                }
                b'N' => self.push(Value::None),
                0x88 => self.push(Value::Bool(true)),
                0x89 => self.push(Value::Bool(false)),
                b'U' => {
                    let n = self.u8()? as usize;
                    let s = self.take(n)?;
                    self.push(Value::Str(s))
                }
                b'T' => {
                    let n = self.i32()?;
                    let n = usize::try_from(n).map_err(|_| format!("negative string length at offset {at}"))?;
                    let s = self.take(n)?;
                    self.push(Value::Str(s))
                }
                b'(' => self.push(Value::Mark),
                b')' => self.push(Value::Tuple(vec![])),
                0x85..=0x87 => {
                    let v = self.pop_n((op - 0x84) as usize)?;
                    self.push(Value::Tuple(v))
                }
                b't' => {
                    let m = self.stack.iter().rposition(|v| matches!(v, Value::Mark)).ok_or("TUPLE without MARK")?;
                    let items = self.stack.split_off(m + 1);
                    self.stack.pop();
                    self.push(Value::Tuple(items))
                }
                b'R' => self.reduce(),
                b'b' => self.build(),
                b'.' => {
                    let v = self.pop()?;
                    if !self.stack.is_empty() {
                        return Err("values left on the stack at STOP".into());
                    }
                    if self.pos != self.b.len() {
                        return Err(format!("{} bytes after the end of the pickle", self.b.len() - self.pos));
                    }
                    return Ok(v);
                }
                other => return Err(format!("opcode 0x{other:02x} at offset {at} is not part of the expected layout")),
            };
            r.map_err(|e| if e.contains("offset") { e } else { format!("{e} (at offset {at})") })?;
        }
    }

    fn array(&self, v: &Value<'a>, dtype: Dtype, ndim: usize, what: &str) -> R<PickledArray<'a>> {
        match v {
            Value::Obj(i) => match &self.objects[*i] {
                Obj::Array(a) if a.dtype == dtype && a.shape.len() == ndim => Ok(a.clone()),
                Obj::Array(a) => Err(format!("{what}: expected a {ndim}-D {dtype:?} array, found {:?} of shape {:?}", a.dtype, a.shape)),
                o => Err(format!("{what}: expected an array, found {}", obj_name(o))),
            },
            _ => Err(format!("{what}: expected an array")),
        }
    }
}

fn obj_name(o: &Obj<'_>) -> &'static str {
    match o {
        Obj::Dtype { .. } => "a dtype",
        Obj::EmptyArray => "an unfilled ndarray",
        Obj::Array(_) => "an ndarray",
    }
}

/// Debug output that never dumps megabytes of array data.
struct Brief<'s, 'a>(&'s [Value<'a>]);
impl std::fmt::Debug for Brief<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut l = f.debug_list();
        for v in self.0 {
            match v {
                Value::Str(s) if s.len() > 16 => l.entry(&format_args!("<{} bytes>", s.len())),
                Value::Str(s) => l.entry(&String::from_utf8_lossy(s)),
                Value::Tuple(t) => l.entry(&Brief(t)),
                v => l.entry(v),
            };
        }
        l.finish()
    }
}

/// Reads `mnist.pkl` (already decompressed). Err says what was wrong and where.
pub fn read_mnist_pickle(bytes: &[u8]) -> Result<MnistPickle<'_>, String> {
    read_impl(bytes)
}

fn read_impl<'a>(bytes: &'a [u8]) -> Result<MnistPickle<'a>, String> {
    let mut m = Machine { b: bytes, pos: 0, stack: vec![], memo: HashMap::new(), objects: vec![] };
    let top = m.run()?;
    let Value::Tuple(splits) = &top else { return Err("the pickle is not a tuple of three splits".into()) };
    let [train, valid, test] = splits.as_slice() else {
        return Err(format!("expected three splits (train, valid, test), found {}", splits.len()));
    };
    let split = |v: &Value<'a>, name: &str| -> R<PickledSplit<'a>> {
        let Value::Tuple(xy) = v else { return Err(format!("{name}: expected a pair (images, labels)")) };
        let [x, y] = xy.as_slice() else { return Err(format!("{name}: expected a pair (images, labels), found {} items", xy.len())) };
        let images = m.array(x, Dtype::F32, 2, &format!("{name} images"))?;
        let labels = m.array(y, Dtype::I64, 1, &format!("{name} labels"))?;
        if images.shape[1] != 784 {
            return Err(format!("{name} images: expected 784 values per image (28×28), found {}", images.shape[1]));
        }
        if images.shape[0] != labels.shape[0] {
            return Err(format!("{name}: {} images but {} labels", images.shape[0], labels.shape[0]));
        }
        Ok(PickledSplit { images, labels })
    };
    Ok(MnistPickle { train: split(train, "train")?, valid: split(valid, "valid")?, test: split(test, "test")? })
}

/// Writes a pickle of exactly the layout [`read_mnist_pickle`] reads, opcode for opcode as NumPy
/// writes it (for tests and fixtures). Each split is `(pixels n×784 as u8, labels n)`; images are
/// stored as `pixel / 256` in `float32`.
pub fn write_mnist_pickle(splits: &[(&[u8], &[i64]); 3]) -> Vec<u8> {
    let mut o = vec![0x80, 2];
    let short = |o: &mut Vec<u8>, s: &[u8]| {
        o.push(b'U');
        o.push(s.len() as u8);
        o.extend_from_slice(s);
    };
    let int = |o: &mut Vec<u8>, v: i64| {
        if (0..256).contains(&v) {
            o.extend_from_slice(&[b'K', v as u8]);
        } else if (0..65536).contains(&v) {
            o.push(b'M');
            o.extend_from_slice(&(v as u16).to_le_bytes());
        } else {
            o.push(b'J');
            o.extend_from_slice(&(v as i32).to_le_bytes());
        }
    };
    let mut memo = 1u8;
    fn put_at(o: &mut Vec<u8>, memo: &mut u8) {
        o.extend_from_slice(&[b'q', *memo]);
        *memo += 1;
    }
    macro_rules! put {
        ($o:expr) => {
            put_at($o, &mut memo)
        };
    }
    let mut dtypes: [Option<u8>; 2] = [None, None];
    let mut dtype_global: Option<u8> = None;
    for (x, y) in splits {
        for (k, (shape, dtype, data)) in [
            (vec![x.len() / 784, 784], Dtype::F32, x.iter().flat_map(|&p| (p as f32 / 256.0).to_le_bytes()).collect::<Vec<u8>>()),
            (vec![y.len()], Dtype::I64, y.iter().flat_map(|v| v.to_le_bytes()).collect()),
        ]
        .into_iter()
        .enumerate()
        {
            if memo == 1 {
                // the first array names the globals; later ones fetch them from the memo
                o.extend_from_slice(b"cnumpy.core.multiarray\n_reconstruct\n");
                put!(&mut o); // 1
                o.extend_from_slice(b"cnumpy\nndarray\n");
                put!(&mut o); // 2
            } else {
                o.extend_from_slice(&[b'h', 1, b'h', 2]);
            }
            o.extend_from_slice(&[b'K', 0, 0x85]);
            short(&mut o, b"b");
            o.extend_from_slice(&[0x87, b'R']);
            put!(&mut o);
            o.push(b'(');
            int(&mut o, 1);
            for &d in &shape {
                int(&mut o, d as i64);
            }
            o.push(0x84 + shape.len() as u8);
            match dtypes[k] {
                Some(slot) => o.extend_from_slice(&[b'h', slot]),
                None => {
                    match dtype_global {
                        Some(slot) => o.extend_from_slice(&[b'h', slot]),
                        None => {
                            o.extend_from_slice(b"cnumpy\ndtype\n");
                            dtype_global = Some(memo);
                            put!(&mut o);
                        }
                    }
                    short(&mut o, if dtype == Dtype::F32 { b"f4" } else { b"i8" });
                    o.extend_from_slice(&[b'K', 0, b'K', 1, 0x87, b'R']);
                    dtypes[k] = Some(memo);
                    put!(&mut o);
                    o.push(b'(');
                    int(&mut o, 3);
                    short(&mut o, b"<");
                    o.extend_from_slice(b"NNN");
                    int(&mut o, -1);
                    int(&mut o, -1);
                    int(&mut o, 0);
                    o.extend_from_slice(b"tb");
                }
            }
            o.push(0x89);
            o.push(b'T');
            o.extend_from_slice(&(data.len() as i32).to_le_bytes());
            o.extend_from_slice(&data);
            o.extend_from_slice(b"tb");
        }
        o.push(0x86);
        put!(&mut o);
    }
    o.extend_from_slice(&[0x87, b'.']);
    o
}

#[cfg(test)]
mod tests {
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
}
