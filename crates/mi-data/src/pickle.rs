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

/// What an opcode does once its operands are read.
enum Action<'a> {
    Push(Value<'a>),
    MemoPut(u32),
    MemoGet(u32),
    Reduce,
    Build,
    Stop,
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

    /// Runs the pickle to its STOP and returns the value it leaves.
    fn run(&mut self) -> R<Value<'a>> {
        if self.take(2)? != [0x80, 2] {
            return Err("not a protocol-2 pickle (expected the bytes 0x80 0x02 first)".into());
        }
        loop {
            let at = self.pos;
            let op = self.u8()?;
            // errors while reading an opcode's operands are returned as they are; errors of the
            // stack, memo and object operations get the opcode's offset
            let r = match self.decode(op, at)? {
                Action::Stop => return self.stop(),
                Action::Push(v) => self.push(v),
                Action::MemoPut(i) => self.memo_put(i),
                Action::MemoGet(i) => self.memo_get(i),
                Action::Reduce => self.reduce(),
                Action::Build => self.build(),
            };
            r.map_err(|e| if e.contains("offset") { e } else { format!("{e} (at offset {at})") })?;
        }
    }

    /// Reads the operands of opcode `op` (found at offset `at`) and says what to do with them.
    fn decode(&mut self, op: u8, at: usize) -> R<Action<'a>> {
        Ok(match op {
            b'c' => Action::Push(Value::Global(self.global(at)?)),
            b'q' => Action::MemoPut(self.u8()? as u32),
            b'r' => Action::MemoPut(self.i32()? as u32),
            b'h' => Action::MemoGet(self.u8()? as u32),
            b'j' => Action::MemoGet(self.i32()? as u32),
            b'K' => Action::Push(Value::Int(self.u8()? as i64)),
            b'M' => Action::Push(Value::Int(self.u16()? as i64)),
            b'J' => Action::Push(Value::Int(self.i32()? as i64)),
            b'N' => Action::Push(Value::None),
            0x88 => Action::Push(Value::Bool(true)),
            0x89 => Action::Push(Value::Bool(false)),
            b'U' => {
                let n = self.u8()? as usize;
                Action::Push(Value::Str(self.take(n)?))
            }
            b'T' => {
                let n = self.i32()?;
                let n = usize::try_from(n).map_err(|_| format!("negative string length at offset {at}"))?;
                Action::Push(Value::Str(self.take(n)?))
            }
            b'(' => Action::Push(Value::Mark),
            b')' => Action::Push(Value::Tuple(vec![])),
            0x85..=0x87 => Action::Push(Value::Tuple(self.pop_n((op - 0x84) as usize)?)),
            b't' => {
                let m = self.stack.iter().rposition(|v| matches!(v, Value::Mark)).ok_or("TUPLE without MARK")?;
                let items = self.stack.split_off(m + 1);
                self.stack.pop();
                Action::Push(Value::Tuple(items))
            }
            b'R' => Action::Reduce,
            b'b' => Action::Build,
            b'.' => Action::Stop,
            other => return Err(format!("opcode 0x{other:02x} at offset {at} is not part of the expected layout")),
        })
    }

    /// GLOBAL (at offset `at`): one of the three names the layout uses, anything else refused.
    fn global(&mut self, at: usize) -> R<Global> {
        let module = self.line()?;
        let name = self.line()?;
        match (module, name) {
            (b"numpy.core.multiarray", b"_reconstruct") => Ok(Global::Reconstruct),
            (b"numpy", b"ndarray") => Ok(Global::Ndarray),
            (b"numpy", b"dtype") => Ok(Global::DtypeType),
            (m, n) => Err(format!(
                "refusing global '{}.{}' at offset {at}: only numpy's _reconstruct, ndarray and dtype are allowed",
                String::from_utf8_lossy(m),
                String::from_utf8_lossy(n)
            )),
        }
    }

    /// STOP: the one value on the stack, which must end the input.
    fn stop(&mut self) -> R<Value<'a>> {
        let v = self.pop()?;
        if !self.stack.is_empty() {
            return Err("values left on the stack at STOP".into());
        }
        if self.pos != self.b.len() {
            return Err(format!("{} bytes after the end of the pickle", self.b.len() - self.pos));
        }
        Ok(v)
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
    let mut w = Writer { o: vec![0x80, 2], memo: 1, dtypes: [None, None], dtype_global: None };
    for (x, y) in splits {
        let images: Vec<u8> = x.iter().flat_map(|&p| (p as f32 / 256.0).to_le_bytes()).collect();
        let labels: Vec<u8> = y.iter().flat_map(|v| v.to_le_bytes()).collect();
        w.array(0, &[x.len() / 784, 784], Dtype::F32, &images);
        w.array(1, &[y.len()], Dtype::I64, &labels);
        w.o.push(0x86);
        w.put();
    }
    w.o.extend_from_slice(&[0x87, b'.']);
    w.o
}

/// The pickle [`write_mnist_pickle`] is writing, and the memo slots of what it wrote already
/// (NumPy names each global and builds each dtype once, then fetches them from the memo).
struct Writer {
    o: Vec<u8>,
    /// The next memo slot.
    memo: u8,
    /// Memo slots of the built dtypes of the images (0) and the labels (1).
    dtypes: [Option<u8>; 2],
    /// Memo slot of the `numpy.dtype` global.
    dtype_global: Option<u8>,
}

impl Writer {
    /// SHORT_BINSTRING.
    fn short(&mut self, s: &[u8]) {
        self.o.push(b'U');
        self.o.push(s.len() as u8);
        self.o.extend_from_slice(s);
    }

    /// The shortest of BININT1, BININT2 and BININT.
    fn int(&mut self, v: i64) {
        if (0..256).contains(&v) {
            self.o.extend_from_slice(&[b'K', v as u8]);
        } else if (0..65536).contains(&v) {
            self.o.push(b'M');
            self.o.extend_from_slice(&(v as u16).to_le_bytes());
        } else {
            self.o.push(b'J');
            self.o.extend_from_slice(&(v as i32).to_le_bytes());
        }
    }

    /// BINPUT of the top of the stack into the next memo slot.
    fn put(&mut self) {
        self.o.extend_from_slice(&[b'q', self.memo]);
        self.memo += 1;
    }

    /// One array (`k`: 0 for images, 1 for labels): `_reconstruct(ndarray, (0,), b'b')`, then
    /// BUILD with `(1, shape, dtype, False, data)`.
    fn array(&mut self, k: usize, shape: &[usize], dtype: Dtype, data: &[u8]) {
        if self.memo == 1 {
            // the first array names the globals; later ones fetch them from the memo
            self.o.extend_from_slice(b"cnumpy.core.multiarray\n_reconstruct\n");
            self.put(); // 1
            self.o.extend_from_slice(b"cnumpy\nndarray\n");
            self.put(); // 2
        } else {
            self.o.extend_from_slice(&[b'h', 1, b'h', 2]);
        }
        self.o.extend_from_slice(&[b'K', 0, 0x85]);
        self.short(b"b");
        self.o.extend_from_slice(&[0x87, b'R']);
        self.put();
        self.o.push(b'(');
        self.int(1);
        for &d in shape {
            self.int(d as i64);
        }
        self.o.push(0x84 + shape.len() as u8);
        self.dtype(k, dtype);
        self.o.push(0x89);
        self.o.push(b'T');
        self.o.extend_from_slice(&(data.len() as i32).to_le_bytes());
        self.o.extend_from_slice(data);
        self.o.extend_from_slice(b"tb");
    }

    /// The dtype of array kind `k`: `dtype(descr, 0, 1)` built with the little-endian state the
    /// first time, fetched from the memo after that.
    fn dtype(&mut self, k: usize, dtype: Dtype) {
        if let Some(slot) = self.dtypes[k] {
            self.o.extend_from_slice(&[b'h', slot]);
            return;
        }
        match self.dtype_global {
            Some(slot) => self.o.extend_from_slice(&[b'h', slot]),
            None => {
                self.o.extend_from_slice(b"cnumpy\ndtype\n");
                self.dtype_global = Some(self.memo);
                self.put();
            }
        }
        self.short(if dtype == Dtype::F32 { b"f4" } else { b"i8" });
        self.o.extend_from_slice(&[b'K', 0, b'K', 1, 0x87, b'R']);
        self.dtypes[k] = Some(self.memo);
        self.put();
        self.o.push(b'(');
        self.int(3);
        self.short(b"<");
        self.o.extend_from_slice(b"NNN");
        self.int(-1);
        self.int(-1);
        self.int(0);
        self.o.extend_from_slice(b"tb");
    }
}

#[cfg(test)]
mod tests;
