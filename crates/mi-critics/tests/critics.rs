//! Critics against an explicit double loop over pairs, parameter counts, shape errors.
use mi_critics::*;
use tch::{nn, Device, Kind, Tensor};

fn explicit(f: impl Fn(&Tensor, &Tensor) -> f64, u: &Tensor, v: &Tensor) -> Tensor {
    let (b1, b2) = (u.size()[0], v.size()[0]);
    let mut s = vec![0.0f64; (b1 * b2) as usize];
    for i in 0..b1 {
        for j in 0..b2 {
            s[(i * b2 + j) as usize] = f(&u.get(i), &v.get(j));
        }
    }
    Tensor::from_slice(&s).reshape([b1, b2])
}

fn max_abs(t: &Tensor) -> f64 {
    t.abs().max().double_value(&[])
}

fn f64_store() -> nn::VarStore {
    let mut vs = nn::VarStore::new(Device::Cpu);
    vs.set_kind(Kind::Double);
    vs
}

fn batches(du: i64, dv: i64) -> (Tensor, Tensor) {
    // different batch sizes catch transposed indices
    (Tensor::randn([7, du], (Kind::Double, Device::Cpu)), Tensor::randn([5, dv], (Kind::Double, Device::Cpu)))
}

#[test]
fn parameter_counts_match_the_paper() {
    let vs = nn::VarStore::new(Device::Cpu);
    assert_eq!(Bilinear::paper(&vs.root().sub("a")).unwrap().num_parameters(), 10_000);
    assert_eq!(Bilinear::pixels(&vs.root().sub("b")).unwrap().num_parameters(), 153_664);
    assert_eq!(Separable::paper(&vs.root().sub("c")).unwrap().num_parameters(), 40_400);
    assert_eq!(ConcatMlp::paper(&vs.root().sub("d")).unwrap().num_parameters(), 40_401);
    let total: i64 = vs.trainable_variables().iter().map(|t| t.numel() as i64).sum();
    assert_eq!(total, 10_000 + 153_664 + 40_400 + 40_401);
}

#[test]
fn bilinear_equals_double_loop() {
    let vs = f64_store();
    let c = Bilinear::new(&vs.root(), 4, 3).unwrap();
    let (u, v) = batches(4, 3);
    let w = c.weight().shallow_clone();
    let want = explicit(|a, b| a.dot(&w.matmul(b)).double_value(&[]), &u, &v);
    let got = c.f_scores(&u, &v).unwrap();
    assert_eq!(got.size(), vec![7, 5]);
    assert!(max_abs(&(got - want)) < 1e-12);
}

#[test]
fn separable_equals_double_loop() {
    let vs = f64_store();
    let c = Separable::new(&vs.root(), 4, 3, 6, 5).unwrap();
    let (u, v) = batches(4, 3);
    let want = explicit(
        |a, b| c.phi1(&a.unsqueeze(0)).squeeze_dim(0).dot(&c.phi2(&b.unsqueeze(0)).squeeze_dim(0)).double_value(&[]),
        &u,
        &v,
    );
    assert!(max_abs(&(c.f_scores(&u, &v).unwrap() - want)) < 1e-12);
}

#[test]
fn concat_mlp_equals_double_loop_over_concatenated_pairs() {
    let vs = f64_store();
    let c = ConcatMlp::new(&vs.root(), 4, 3, 8).unwrap();
    let (u, v) = batches(4, 3);
    let p = c.parameters();
    let (w1, b1, w2, b2) = (&p[0], &p[1], &p[2], &p[3]);
    // fully explicit: f([u; v]) = w2 · relu(W1 [u; v] + b1) + b2
    let want = explicit(
        |a, b| {
            let h = (w1.mv(&Tensor::cat(&[a, b], 0)) + b1).relu();
            (w2.mv(&h) + b2).double_value(&[0])
        },
        &u,
        &v,
    );
    let got = c.f_scores(&u, &v).unwrap();
    assert!(max_abs(&(&got - want)) < 1e-12);
    // the diagonal is the critic on aligned pairs
    let aligned = c.pairwise(&u.narrow(0, 0, 5), &v);
    assert!(max_abs(&(got.narrow(0, 0, 5).diagonal(0, 0, 1) - aligned)) < 1e-12);
    // and the scores are not degenerate
    assert!(got.std(true).double_value(&[]) > 1e-3);
}

#[test]
fn gradients_flow_to_every_parameter() {
    let vs = nn::VarStore::new(Device::Cpu);
    let critics: Vec<Box<dyn Critic>> = vec![
        Box::new(Bilinear::new(&vs.root().sub("a"), 4, 4).unwrap()),
        Box::new(Separable::new(&vs.root().sub("b"), 4, 4, 6, 5).unwrap()),
        Box::new(ConcatMlp::new(&vs.root().sub("c"), 4, 4, 8).unwrap()),
    ];
    let u = Tensor::randn([6, 4], (Kind::Float, Device::Cpu));
    let v = Tensor::randn([6, 4], (Kind::Float, Device::Cpu));
    for c in &critics {
        let s = c.scores(&u, &v);
        let params = c.parameters();
        let grads = Tensor::run_backward(&[s.square().sum(Kind::Float)], &params, false, false);
        for g in grads {
            assert!(max_abs(&g) > 0.0);
        }
    }
}

#[test]
fn wrong_shapes_are_errors() {
    let vs = nn::VarStore::new(Device::Cpu);
    let c = ConcatMlp::paper(&vs.root()).unwrap();
    let u = Tensor::randn([4, 100], (Kind::Float, Device::Cpu));
    let bad = Tensor::randn([4, 99], (Kind::Float, Device::Cpu));
    assert!(c.f_scores(&u, &bad).is_err());
    assert!(c.f_scores(&bad, &u).is_err());
    assert!(c.f_scores(&u, &u).is_ok());
    assert!(Bilinear::new(&vs.root().sub("z"), 0, 3).is_err());
}

#[test]
fn deeper_critics_equal_explicit_layers() {
    // the staircase benchmark's critics: 2×256 ReLU, 32-d embeddings for the separable one
    let vs = nn::VarStore::new(Device::Cpu);
    let s = Separable::with_layers(&vs.root().sub("s"), 20, 20, &[256, 256], 32).unwrap();
    assert_eq!(s.num_parameters(), 2 * (20 * 256 + 256 + 256 * 256 + 256 + 256 * 32 + 32));
    let c = ConcatMlp::with_layers(&vs.root().sub("c"), 20, 20, &[256, 256]).unwrap();
    assert_eq!(c.num_parameters(), 40 * 256 + 256 + 256 * 256 + 256 + 256 + 1);
    // one hidden layer through with_layers is `new`, parameter names included
    let a = nn::VarStore::new(Device::Cpu);
    Separable::new(&a.root(), 4, 3, 6, 5).unwrap();
    ConcatMlp::new(&a.root().sub("k"), 4, 3, 8).unwrap();
    let b = nn::VarStore::new(Device::Cpu);
    Separable::with_layers(&b.root(), 4, 3, &[6], 5).unwrap();
    ConcatMlp::with_layers(&b.root().sub("k"), 4, 3, &[8]).unwrap();
    let names = |vs: &nn::VarStore| {
        let mut n: Vec<String> = vs.variables().into_keys().collect();
        n.sort();
        n
    };
    assert_eq!(names(&a), names(&b));
    assert!(Separable::with_layers(&b.root().sub("e"), 4, 3, &[], 5).is_err());
    assert!(ConcatMlp::with_layers(&b.root().sub("f"), 4, 3, &[8, 0]).is_err());

    // against explicit layer-by-layer computations on each pair, in f64
    let vs = f64_store();
    let s = Separable::with_layers(&vs.root().sub("s"), 4, 3, &[6, 7], 5).unwrap();
    let c = ConcatMlp::with_layers(&vs.root().sub("c"), 4, 3, &[8, 6]).unwrap();
    let (u, v) = batches(4, 3);
    let dense = |p: &[Tensor], x: &Tensor| p[0].mv(x) + &p[1];
    let ps = s.parameters();
    let (p1, p2) = (&ps[..6], &ps[6..]);
    let phi = |p: &[Tensor], x: &Tensor| dense(&p[4..6], &dense(&p[2..4], &dense(&p[0..2], x).relu()).relu());
    let want = explicit(|a, b| phi(p1, a).dot(&phi(p2, b)).double_value(&[]), &u, &v);
    assert!(max_abs(&(s.f_scores(&u, &v).unwrap() - want)) < 1e-12);
    let pc = c.parameters();
    let want = explicit(
        |a, b| {
            let h = dense(&pc[0..2], &Tensor::cat(&[a, b], 0)).relu();
            let h = dense(&pc[2..4], &h).relu();
            dense(&pc[4..6], &h).double_value(&[0])
        },
        &u,
        &v,
    );
    let got = c.f_scores(&u, &v).unwrap();
    assert!(max_abs(&(&got - want)) < 1e-12);
    assert!(max_abs(&(got.narrow(0, 0, 5).diagonal(0, 0, 1) - c.pairwise(&u.narrow(0, 0, 5), &v))) < 1e-12);
}
