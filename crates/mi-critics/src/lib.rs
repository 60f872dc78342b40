//! Critics on tch: maps from two feature batches to a B×B score matrix.
//!
//! ```no_run
//! use mi_critics::{Bilinear, ConcatMlp, Critic, Separable};
//! use tch::{nn, Device, Kind, Tensor};
//!
//! let vs = nn::VarStore::new(Device::Cpu);
//! let bilinear = Bilinear::paper(&vs.root().sub("f"))?;      // uᵀWv, W 100×100
//! let u = Tensor::randn([128, 100], (Kind::Float, Device::Cpu));
//! let v = Tensor::randn([128, 100], (Kind::Float, Device::Cpu));
//! let s = bilinear.f_scores(&u, &v)?;                         // S[i, j] = f(u_i, v_j), 128×128
//! assert_eq!(bilinear.num_parameters(), 10_000);
//! let concat = ConcatMlp::paper(&vs.root().sub("g"))?;       // f([u; v]) on all 128² pairs
//! assert_eq!(concat.num_parameters(), 40_401);
//! # Ok::<(), mi_critics::CriticError>(())
//! ```
//!
//! What is here (see `ARCHITECTURE.md`): the bilinear critic `uᵀWv` ([`Bilinear`], no bias), the
//! separable critic `φ1(u)ᵀφ2(v)` ([`Separable`], each φ = Dense(100→100, ReLU) → Dense(100→100))
//! and the concat-MLP critic `f([u; v])` ([`ConcatMlp`], Dense(200→200, ReLU) → Dense(200→1)),
//! all returning the B×B matrix `S[i, j] = f(u_i, v_j)` whose diagonal holds the positive pairs;
//! and the [`Critic`] trait. Kernels are Glorot-uniform and biases zero, as in Keras.
//!
//! The concat critic never builds the B²×200 matrix of concatenated pairs: its first layer splits
//! as `W[u; v] + b = W_u u + (W_v v + b)`, so it computes the two B×H halves once and forms the
//! B×B×H hidden activations by one broadcast add (the one tensor of that size it needs), then a
//! matrix-vector product gives the scores.
use tch::{nn, Tensor};

/// What can go wrong when building or applying a critic.
#[derive(Debug, thiserror::Error)]
pub enum CriticError {
    /// A configuration that cannot describe a critic.
    #[error("invalid critic configuration: {0}")]
    Config(String),
    /// Feature batches of the wrong shape.
    #[error("critic expects u of shape [B, {du}] and v of shape [B', {dv}], got {u:?} and {v:?}")]
    Shape { du: i64, dv: i64, u: Vec<i64>, v: Vec<i64> },
    /// An error reported by libtorch.
    #[error("libtorch error: {0}")]
    Tch(#[from] tch::TchError),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, CriticError>;

/// A critic scores every pair of a batch `u` (`[B, du]`) against a batch `v` (`[B', dv]`).
pub trait Critic {
    /// The `[B, B']` matrix `S[i, j] = f(u_i, v_j)`. Shapes are not checked: see
    /// [`Critic::f_scores`].
    fn scores(&self, u: &Tensor, v: &Tensor) -> Tensor;
    /// Feature sizes `(du, dv)` it accepts.
    fn dims(&self) -> (i64, i64);
    /// Shallow clones of the trainable parameters.
    fn parameters(&self) -> Vec<Tensor>;
    /// Number of scalar parameters.
    fn num_parameters(&self) -> i64 {
        self.parameters().iter().map(|p| p.numel() as i64).sum()
    }
    /// [`Critic::scores`] after checking shapes.
    fn f_scores(&self, u: &Tensor, v: &Tensor) -> Result<Tensor> {
        let (du, dv) = self.dims();
        let (su, sv) = (u.size(), v.size());
        if su.len() != 2 || sv.len() != 2 || su[1] != du || sv[1] != dv {
            return Err(CriticError::Shape { du, dv, u: su, v: sv });
        }
        Ok(self.scores(u, v))
    }
}

impl<C: Critic + ?Sized> Critic for Box<C> {
    fn scores(&self, u: &Tensor, v: &Tensor) -> Tensor {
        (**self).scores(u, v)
    }
    fn dims(&self) -> (i64, i64) {
        (**self).dims()
    }
    fn parameters(&self) -> Vec<Tensor> {
        (**self).parameters()
    }
}

fn glorot(path: &nn::Path, name: &str, out_dim: i64, in_dim: i64) -> Tensor {
    let b = (6.0 / (in_dim + out_dim) as f64).sqrt();
    path.var(name, &[out_dim, in_dim], nn::Init::Uniform { lo: -b, up: b })
}

/// A dense layer with a Glorot-uniform kernel and a zero bias.
#[derive(Debug)]
struct Dense {
    ws: Tensor,
    bs: Tensor,
}

impl Dense {
    fn new(path: &nn::Path, in_dim: i64, out_dim: i64) -> Self {
        Self { ws: glorot(path, "weight", out_dim, in_dim), bs: path.zeros("bias", &[out_dim]) }
    }
    fn forward(&self, x: &Tensor) -> Tensor {
        x.linear(&self.ws, Some(&self.bs))
    }
    fn parameters(&self) -> [Tensor; 2] {
        [self.ws.shallow_clone(), self.bs.shallow_clone()]
    }
}

fn positive(sizes: &[i64], what: &str) -> Result<()> {
    if sizes.iter().all(|&s| s > 0) {
        Ok(())
    } else {
        Err(CriticError::Config(format!("{what} sizes must be positive, got {sizes:?}")))
    }
}

/// `f(u, v) = uᵀ W v`, no bias.
#[derive(Debug)]
pub struct Bilinear {
    /// `[du, dv]`.
    w: Tensor,
}

impl Bilinear {
    /// A bilinear critic between `du`- and `dv`-dimensional features, W Glorot-uniform.
    pub fn new(path: &nn::Path, du: i64, dv: i64) -> Result<Self> {
        positive(&[du, dv], "bilinear critic")?;
        Ok(Self { w: glorot(path, "w", du, dv) })
    }
    /// The paper's bilinear critic on 100-d features (10,000 parameters).
    pub fn paper(path: &nn::Path) -> Result<Self> {
        Self::new(path, 100, 100)
    }
    /// The critic of A1/A2 on 392-d features (153,664 parameters).
    pub fn pixels(path: &nn::Path) -> Result<Self> {
        Self::new(path, 392, 392)
    }
    /// The matrix W (`[du, dv]`).
    pub fn weight(&self) -> &Tensor {
        &self.w
    }
}

impl Critic for Bilinear {
    fn scores(&self, u: &Tensor, v: &Tensor) -> Tensor {
        u.matmul(&self.w).matmul(&v.tr())
    }
    fn dims(&self) -> (i64, i64) {
        let s = self.w.size();
        (s[0], s[1])
    }
    fn parameters(&self) -> Vec<Tensor> {
        vec![self.w.shallow_clone()]
    }
}

/// `f(u, v) = φ1(u)ᵀ φ2(v)`, each φ = Dense(d→h, ReLU) → … → Dense(h→e) (one hidden layer by
/// default; [`Separable::with_layers`] for more).
#[derive(Debug)]
pub struct Separable {
    phi1: Vec<Dense>,
    phi2: Vec<Dense>,
}

/// Dense layers `d → hidden[0] → … → out` under `path/0`, `path/1`, ….
fn mlp_layers(path: &nn::Path, d: i64, hidden: &[i64], out: i64) -> Vec<Dense> {
    let sizes: Vec<i64> = std::iter::once(d).chain(hidden.iter().copied()).chain(std::iter::once(out)).collect();
    sizes.windows(2).enumerate().map(|(k, w)| Dense::new(&path.sub(k.to_string()), w[0], w[1])).collect()
}

/// The layers applied in order with a ReLU between consecutive layers (none after the last).
fn mlp_forward(layers: &[Dense], x: &Tensor) -> Tensor {
    let mut h = x.shallow_clone();
    for (k, l) in layers.iter().enumerate() {
        h = l.forward(&h);
        if k + 1 < layers.len() {
            h = h.relu();
        }
    }
    h
}

impl Separable {
    /// φ1: du → hidden → embed and φ2: dv → hidden → embed.
    pub fn new(path: &nn::Path, du: i64, dv: i64, hidden: i64, embed: i64) -> Result<Self> {
        Self::with_layers(path, du, dv, &[hidden], embed)
    }
    /// φ1: du → hidden[0] → … → embed and φ2 likewise, ReLU after every hidden layer (e.g. the
    /// staircase benchmark's `&[256, 256]` with 32-d embeddings). `with_layers(p, du, dv, &[h], e)`
    /// is exactly `new(p, du, dv, h, e)`, parameter names included.
    pub fn with_layers(path: &nn::Path, du: i64, dv: i64, hidden: &[i64], embed: i64) -> Result<Self> {
        if hidden.is_empty() {
            return Err(CriticError::Config("separable critic needs at least one hidden layer".into()));
        }
        positive(&[du, dv, embed], "separable critic")?;
        positive(hidden, "separable critic hidden layer")?;
        Ok(Self { phi1: mlp_layers(&path.sub("phi1"), du, hidden, embed), phi2: mlp_layers(&path.sub("phi2"), dv, hidden, embed) })
    }
    /// The paper's separable critic: φ = Dense(100→100, ReLU) → Dense(100→100) (40,400 parameters).
    pub fn paper(path: &nn::Path) -> Result<Self> {
        Self::new(path, 100, 100, 100, 100)
    }
    /// φ1(u) (`[B, embed]`).
    pub fn phi1(&self, u: &Tensor) -> Tensor {
        mlp_forward(&self.phi1, u)
    }
    /// φ2(v) (`[B, embed]`).
    pub fn phi2(&self, v: &Tensor) -> Tensor {
        mlp_forward(&self.phi2, v)
    }
}

impl Critic for Separable {
    fn scores(&self, u: &Tensor, v: &Tensor) -> Tensor {
        self.phi1(u).matmul(&self.phi2(v).tr())
    }
    fn dims(&self) -> (i64, i64) {
        (self.phi1[0].ws.size()[1], self.phi2[0].ws.size()[1])
    }
    fn parameters(&self) -> Vec<Tensor> {
        self.phi1.iter().chain(self.phi2.iter()).flat_map(Dense::parameters).collect()
    }
}

/// `f(u, v) = Dense(h→1)(relu(Dense(du+dv→h)([u; v])))`, evaluated on all pairs (one hidden
/// layer by default; [`ConcatMlp::with_layers`] for more).
#[derive(Debug)]
pub struct ConcatMlp {
    du: i64,
    first: Dense,
    /// The layers after the first: hidden → … → hidden → 1 (the last is the output layer).
    rest: Vec<Dense>,
}

impl ConcatMlp {
    /// The first layer's kernel is one `[h, du + dv]` matrix (as if applied to `[u; v]`).
    pub fn new(path: &nn::Path, du: i64, dv: i64, hidden: i64) -> Result<Self> {
        Self::with_layers(path, du, dv, &[hidden])
    }
    /// Hidden layers `hidden[0] → … → hidden[k−1]` with ReLUs, then a scalar output (e.g. the
    /// staircase benchmark's `&[256, 256]`). `with_layers(p, du, dv, &[h])` is exactly
    /// `new(p, du, dv, h)`, parameter names included. Every hidden layer after the first costs
    /// a `[B·B', h] × [h, h']` product: B² times what the same layer costs a separable critic.
    pub fn with_layers(path: &nn::Path, du: i64, dv: i64, hidden: &[i64]) -> Result<Self> {
        if hidden.is_empty() {
            return Err(CriticError::Config("concat critic needs at least one hidden layer".into()));
        }
        positive(&[du, dv], "concat critic")?;
        positive(hidden, "concat critic hidden layer")?;
        let first = Dense::new(&path.sub("0"), du + dv, hidden[0]);
        let sizes: Vec<i64> = hidden.iter().copied().chain(std::iter::once(1)).collect();
        let rest = sizes.windows(2).enumerate().map(|(k, w)| Dense::new(&path.sub((k + 1).to_string()), w[0], w[1])).collect();
        Ok(Self { du, first, rest })
    }
    /// The paper's concat critic: Dense(200→200, ReLU) → Dense(200→1) on 100-d features
    /// (40,401 parameters).
    pub fn paper(path: &nn::Path) -> Result<Self> {
        Self::new(path, 100, 100, 200)
    }
    /// `f(u, v)` for aligned rows: `[B, du]`, `[B, dv]` → `[B]` (the critic on explicit
    /// concatenated pairs, as a reference).
    pub fn pairwise(&self, u: &Tensor, v: &Tensor) -> Tensor {
        let h = self.first.forward(&Tensor::cat(&[u, v], 1)).relu();
        mlp_forward(&self.rest, &h).squeeze_dim(1)
    }
}

impl Critic for ConcatMlp {
    fn scores(&self, u: &Tensor, v: &Tensor) -> Tensor {
        let dv = self.first.ws.size()[1] - self.du;
        let w_u = self.first.ws.narrow(1, 0, self.du);
        let w_v = self.first.ws.narrow(1, self.du, dv);
        let a = u.matmul(&w_u.tr()); // [B, H]
        let b = v.linear(&w_v, Some(&self.first.bs)); // [B', H]
        let h = (a.unsqueeze(1) + b.unsqueeze(0)).relu(); // [B, B', H]
        // further hidden layers act on the last dimension; the output layer gives [B, B', 1]
        mlp_forward(&self.rest, &h).squeeze_dim(2)
    }
    fn dims(&self) -> (i64, i64) {
        (self.du, self.first.ws.size()[1] - self.du)
    }
    fn parameters(&self) -> Vec<Tensor> {
        self.first.parameters().into_iter().chain(self.rest.iter().flat_map(Dense::parameters)).collect()
    }
}
