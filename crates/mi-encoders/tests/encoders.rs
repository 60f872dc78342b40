//! Parameter counts against the paper's table, shapes, initial behaviour, Jacobians.
use mi_encoders::*;
use mi_flows::Flow;
use tch::{nn, Device, Kind, Tensor};

/// libtorch's generator is process-wide and tests run on parallel threads: every test that seeds
/// and draws holds this lock, so a seed is followed by that test's draws only.
static RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    RNG.lock().unwrap_or_else(|e| e.into_inner())
}

fn store_count(vs: &nn::VarStore) -> i64 {
    vs.trainable_variables().iter().map(|t| t.numel() as i64).sum()
}

fn max_abs(t: &Tensor) -> f64 {
    t.abs().max().double_value(&[])
}

#[test]
fn parameter_counts_match_the_paper() {
    let vs = nn::VarStore::new(Device::Cpu);
    let mlp = Mlp::paper(&vs.root().sub("mlp")).unwrap();
    assert_eq!(mlp.num_parameters(), 238_300);
    let conv = ConvNet::paper(&vs.root().sub("conv")).unwrap();
    assert_eq!(conv.num_parameters(), 219_748);
    let skip = SkipMlp::paper(&vs.root().sub("skip")).unwrap();
    assert_eq!(skip.num_parameters(), 770_280);
    // the trait's count is the VarStore's count
    assert_eq!(store_count(&vs), 238_300 + 219_748 + 770_280);
}

#[test]
fn realnvp_parameter_counts() {
    let _g = lock();
    mi_torch::seed_everything(0);
    let vs = nn::VarStore::new(Device::Cpu);
    let additive = RealNvpEncoder::additive_paper(&vs.root().sub("a"), 1).unwrap();
    assert_eq!(additive.num_parameters(), 13_922_040);
    let vs2 = nn::VarStore::new(Device::Cpu);
    let affine = RealNvpEncoder::affine_paper(&vs2.root().sub("b"), 1).unwrap();
    // 30 × (196·512+512 + 512·512+512 + 512·392+392) = 30 × 564,616. The reference table says
    // 16,926,480 (12,000 fewer, 400 per coupling), which no 196→512→512→392 net gives; we build
    // the architecture as described.
    assert_eq!(affine.num_parameters(), 30 * 564_616);
    assert_eq!(affine.num_parameters(), 16_938_480);
    assert_eq!(store_count(&vs2), 16_938_480);
    assert_eq!(additive.flow().couplings().count(), 30);
    // The notebook's chain permutes before every coupling, the first one included.
    assert_eq!(additive.flow().permutations().count(), 30);
}

#[test]
fn cifar_variants_build_with_their_input_sizes() {
    let vs = nn::VarStore::new(Device::Cpu);
    let conv = ConvNet::new(&vs.root().sub("c"), &ConvNetConfig::cifar()).unwrap();
    let mlp = Mlp::new(&vs.root().sub("m"), &MlpConfig::cifar()).unwrap();
    assert_eq!(conv.input_dim(), 1536);
    // first conv has 3 input channels: 5·5·3·64 + 64 more than... exactly:
    assert_eq!(conv.num_parameters(), (5 * 5 * 3 * 64 + 64) + (5 * 5 * 64 * 128 + 128) + 256 + (128 * 100 + 100));
    assert_eq!(mlp.num_parameters(), 1536 * 300 + 300 + 300 * 300 + 300 + 300 * 100 + 100);
    let x = Tensor::rand([3, 1536], (Kind::Float, Device::Cpu));
    assert_eq!(conv.f_encode(&x).unwrap().size(), vec![3, 100]);
    assert_eq!(mlp.f_encode(&x).unwrap().size(), vec![3, 100]);
    assert!(conv.f_encode(&Tensor::rand([3, 392], (Kind::Float, Device::Cpu))).is_err());
}

#[test]
fn convnet_shapes_same_padding_and_layer_norm() {
    use mi_encoders::convnet::same_padding;
    // TensorFlow 'same': pad total (ceil(n/s)−1)·s + k − n, the extra pixel after
    assert_eq!(same_padding(14, 5, 2), (1, 2));
    assert_eq!(same_padding(28, 5, 2), (1, 2));
    assert_eq!(same_padding(7, 5, 2), (2, 2));
    mi_torch::seed_everything(1);
    let vs = nn::VarStore::new(Device::Cpu);
    let conv = ConvNet::paper(&vs.root()).unwrap();
    let x = Tensor::rand([5, 392], (Kind::Float, Device::Cpu));
    let fm = conv.feature_map(&x);
    assert_eq!(fm.size(), vec![5, 128, 4, 7]);
    // with scale 1 and bias 0 each sample's map is standardised jointly over (C, H, W)
    let mean = fm.mean_dim([1, 2, 3].as_slice(), false, Kind::Float);
    let std = fm.std_dim([1, 2, 3].as_slice(), false, false);
    assert!(max_abs(&mean) < 1e-5, "means {mean}");
    assert!(max_abs(&(std - 1.0)) < 1e-4);
    // images and flat rows are the same input
    let y1 = conv.encode(&x);
    let y2 = conv.encode(&x.reshape([5, 1, 14, 28]));
    assert!(y1.equal(&y2));
    assert_eq!(y1.size(), vec![5, 100]);
    // rows are encoded independently (needed by the Jacobian tool)
    let y_single = conv.encode(&x.narrow(0, 2, 1));
    assert!(max_abs(&(y_single - y1.narrow(0, 2, 1))) < 1e-5);
}

#[test]
fn convnet_convolutions_equal_an_explicit_tf_same_pad() {
    // the encoder splits TF 'same' padding into a surplus pad and a symmetric conv padding;
    // the reference pads every side explicitly and convolves without padding
    let _g = lock();
    mi_torch::seed_everything(3);
    let vs = nn::VarStore::new(Device::Cpu);
    let conv = ConvNet::paper(&vs.root()).unwrap();
    let vars = vs.variables();
    let x = Tensor::rand([4, 392], (Kind::Float, Device::Cpu)).reshape([4, 1, 14, 28]);
    let mut h = x.shallow_clone();
    for i in 0..2 {
        let (w, b) = (&vars[&format!("conv_{i}.weight")], &vars[&format!("conv_{i}.bias")]);
        let (t, bt) = mi_encoders::convnet::same_padding(h.size()[2], 5, 2);
        let (l, r) = mi_encoders::convnet::same_padding(h.size()[3], 5, 2);
        h = h.constant_pad_nd([l, r, t, bt]).conv2d(w, Some(b), [2, 2], [0, 0], [1, 1], 1).relu();
    }
    let mean = h.mean_dim([1, 2, 3].as_slice(), true, Kind::Float);
    let c = &h - mean;
    let sd = c.square().mean_dim([1, 2, 3].as_slice(), true, Kind::Float).sqrt();
    let reference = c / (sd + mi_encoders::convnet::LAYER_NORM_EPS);
    let fm = conv.feature_map(&x);
    assert_eq!(fm.size(), reference.size());
    assert!(max_abs(&(fm - reference)) < 1e-5);
}

#[test]
fn convnet_encode_equals_pooling_the_explicit_layer_norm_in_value_and_gradient() {
    // `encode` pools the layer-normed map without building it; pooling the explicit map of
    // `feature_map` must give the same features and the same gradients for every parameter
    let _g = lock();
    mi_torch::seed_everything(4);
    let vs = nn::VarStore::new(Device::Cpu);
    let conv = ConvNet::paper(&vs.root()).unwrap();
    // a non-trivial norm scale and bias, so that both enter the comparison
    tch::no_grad(|| {
        let vars = vs.variables();
        let _ = vars["norm.scale"].shallow_clone().uniform_(0.5, 1.5);
        let _ = vars["norm.bias"].shallow_clone().uniform_(-0.5, 0.5);
    });
    let x = mnist_like(6);
    let pooled_explicit = |x: &Tensor| {
        let vars = vs.variables();
        let fm = conv.feature_map(x);
        fm.mean_dim([2, 3].as_slice(), false, Kind::Float).linear(&vars["head.weight"], Some(&vars["head.bias"]))
    };
    let fast = conv.encode(&x);
    let slow = pooled_explicit(&x);
    assert_eq!(fast.size(), vec![6, 100]);
    let scale = max_abs(&slow);
    assert!(scale > 0.1, "features are not trivially small: {scale}");
    assert!(max_abs(&(&fast - &slow)) < 1e-5 * scale.max(1.0), "max difference {}", max_abs(&(&fast - &slow)));
    // the same weighted loss through both paths
    let w = Tensor::randn([6, 100], (Kind::Float, Device::Cpu));
    let params = conv.parameters();
    let g_fast = Tensor::run_backward(&[(&fast * &w).sum(Kind::Float)], &params, false, false);
    let g_slow = Tensor::run_backward(&[(&slow * &w).sum(Kind::Float)], &params, false, false);
    for (i, (a, b)) in g_fast.iter().zip(&g_slow).enumerate() {
        let size = max_abs(b);
        assert!(size > 0.0, "parameter {i} gets a gradient");
        assert!(max_abs(&(a - b)) < 1e-4 * size.max(1e-3), "parameter {i}: max gradient difference {} of {size}", max_abs(&(a - b)));
    }
}

#[test]
fn mlp_glorot_init_and_shape_errors() {
    let _g = lock();
    mi_torch::seed_everything(2);
    let vs = nn::VarStore::new(Device::Cpu);
    let mlp = Mlp::paper(&vs.root()).unwrap();
    let p = mlp.parameters();
    let bound = (6.0f64 / 692.0).sqrt();
    assert!(max_abs(&p[0]) <= bound && max_abs(&p[0]) > 0.95 * bound);
    assert_eq!(max_abs(&p[1]), 0.0, "biases start at zero");
    assert!(mlp.f_encode(&Tensor::rand([2, 391], (Kind::Float, Device::Cpu))).is_err());
    assert!(Mlp::new(&vs.root().sub("bad"), &MlpConfig { input_dim: 0, hidden: vec![], output_dim: 3 }).is_err());
}

fn mnist_like(b: i64) -> Tensor {
    // pixels in [0, 1], about 80% of them zero, as in MNIST halves
    let on = Tensor::rand([b, 392], (Kind::Float, Device::Cpu)).gt(0.8).to_kind(Kind::Float);
    Tensor::rand([b, 392], (Kind::Float, Device::Cpu)) * on
}

#[test]
fn skip_mlp_starts_within_1e3_of_identity() {
    let _g = lock();
    mi_torch::seed_everything(3);
    let vs = nn::VarStore::new(Device::Cpu);
    let skip = SkipMlp::paper(&vs.root()).unwrap();
    // Kernels come from N(0, 1e-4²) truncated at ±2 sd (TensorFlow's truncated_normal): nothing
    // beyond 2e-4, and the spread of a normal cut at ±2 (sd ≈ 0.88 · 1e-4).
    for (name, w) in vs.variables() {
        if name.ends_with("weight") {
            assert!(max_abs(&w) <= 2e-4 + 1e-12, "{name}: |w| beyond 2 sd");
            let sd = w.std(true).double_value(&[]);
            assert!((sd / 1e-4 - 0.880).abs() < 0.01, "{name}: sd {sd}");
        }
    }
    let x = mnist_like(64);
    // The map's derivative is within 1e-3 of the identity, entrywise; the outputs themselves move
    // by about 1e-3 (RMS) on MNIST-like inputs, i.e. well under 1% of the input's norm.
    let dev = skip.encode(&x) - &x;
    let rel = (dev.norm() / x.norm()).double_value(&[]);
    assert!(rel < 1e-2 && rel > 0.0, "relative deviation from the identity {rel}");
    let j = jacobian::jacobians(&skip, &x.narrow(0, 0, 4), 2048).unwrap();
    let eye = Tensor::eye(392, (Kind::Float, Device::Cpu));
    let jdev = max_abs(&(&j - eye.unsqueeze(0)));
    assert!(jdev < 1e-3 && jdev > 0.0, "max |J − I| = {jdev}");
    for lc in jacobian::log_condition_numbers(&j).unwrap() {
        assert!((0.0..0.05).contains(&lc), "log condition number at init {lc}");
    }
}

#[test]
fn batched_jacobians_equal_per_output_autograd() {
    let _g = lock();
    mi_torch::seed_everything(4);
    let vs = nn::VarStore::new(Device::Cpu);
    let mlp = Mlp::new(&vs.root(), &MlpConfig { input_dim: 6, hidden: vec![7], output_dim: 4 }).unwrap();
    let x = Tensor::randn([5, 6], (Kind::Float, Device::Cpu));
    // chunks of 2 samples (8 rows) to exercise the chunking
    let j = jacobian::jacobians(&mlp, &x, 8).unwrap();
    assert_eq!(j.size(), vec![5, 4, 6]);
    for b in 0..5 {
        let xb = x.narrow(0, b, 1).detach().set_requires_grad(true);
        let y = mlp.encode(&xb);
        for k in 0..4 {
            let g = Tensor::run_backward(&[y.select(1, k).sum(Kind::Float)], &[&xb], true, false);
            let err = max_abs(&(&g[0].squeeze_dim(0) - j.get(b).get(k)));
            assert!(err < 1e-6, "sample {b} output {k}: {err}");
        }
    }
}

#[test]
fn log_condition_number_of_a_known_matrix() {
    // J = diag(1, 2, 4) → log(4/1)
    let j = Tensor::from_slice(&[1.0f64, 0., 0., 0., 2., 0., 0., 0., 4.]).reshape([1, 3, 3]);
    let lc = jacobian::log_condition_numbers(&j).unwrap();
    assert!((lc[0] - 4f64.ln()).abs() < 1e-12);
    // a linear one-layer skip encoder has J = I + W exactly
    mi_torch::seed_everything(5);
    let vs = nn::VarStore::new(Device::Cpu);
    let lin = SkipMlp::new(&vs.root(), &SkipMlpConfig { dim: 5, layers: 1, init_std: 0.3 }).unwrap();
    let x = Tensor::randn([3, 5], (Kind::Float, Device::Cpu));
    let j = jacobian::jacobians(&lin, &x, 64).unwrap();
    let w = &lin.parameters()[0];
    let expected = Tensor::eye(5, (Kind::Float, Device::Cpu)) + w;
    assert!(max_abs(&(j.get(1) - &expected)) < 1e-6);
    let sv = jacobian::singular_values(&expected.unsqueeze(0)).unwrap();
    let want = (sv.get(0).get(0).log() - sv.get(0).get(4).log()).double_value(&[]);
    let got = jacobian::log_condition_numbers(&j).unwrap();
    assert!(got.iter().all(|g| (g - want).abs() < 1e-5), "{got:?} vs {want}");
}

#[test]
fn additive_realnvp_encoder_starts_near_a_permutation_and_inverts() {
    let _g = lock();
    mi_torch::seed_everything(6);
    let vs = nn::VarStore::new(Device::Cpu);
    let enc = RealNvpEncoder::additive_paper(&vs.root(), 11).unwrap();
    let x = mnist_like(4);
    let y = enc.encode(&x);
    let perm = Tensor::from_slice(&enc.flow().composed_permutation());
    let dev = max_abs(&(&y - x.index_select(1, &perm)));
    assert!(dev < 1e-3 && dev > 0.0, "deviation from the permutation {dev}");
    let (back, ld) = enc.flow().inverse(&y);
    assert!(max_abs(&(back - &x)) < 1e-5);
    assert_eq!(max_abs(&ld), 0.0);
}

#[test]
fn affine_realnvp_encoder_scale_at_init() {
    let _g = lock();
    mi_torch::seed_everything(7);
    let vs = nn::VarStore::new(Device::Cpu);
    let enc = RealNvpEncoder::affine_paper(&vs.root(), 11).unwrap();
    let x = mnist_like(3);
    let (_, logdet) = enc.flow().forward(&x);
    // raw ≈ 0 → scale ≈ softplus(0) = ln 2 on 196 coordinates in each of 30 couplings
    let expected = 30.0 * 196.0 * (2f64.ln() + 1e-7).ln();
    let err = max_abs(&(logdet - expected));
    assert!(err < 1.0, "log-det at init off by {err}");
}

#[test]
fn same_seed_same_encoder() {
    let _g = lock();
    let run = || {
        mi_torch::seed_everything(9);
        let vs = nn::VarStore::new(Device::Cpu);
        let conv = ConvNet::paper(&vs.root()).unwrap();
        conv.encode(&Tensor::ones([2, 392], (Kind::Float, Device::Cpu)))
    };
    assert!(run().equal(&run()));
}
