//! The tch smoke test: libtorch links, loads, trains. A few Adam steps on a small network fitting
//! a linear target must cut the loss substantially; if libtorch were mislinked or autograd broken
//! this fails.
use tch::nn::{self, Module, OptimizerConfig};
use tch::{Device, Kind, Tensor};

#[test]
fn adam_steps_reduce_the_loss_of_a_small_mlp() {
    mi_torch::seed_everything(0);
    let vs = nn::VarStore::new(Device::Cpu);
    let root = vs.root();
    let net = nn::seq()
        .add(nn::linear(&root / "l1", 8, 32, Default::default()))
        .add_fn(|x| x.relu())
        .add(nn::linear(&root / "l2", 32, 1, Default::default()));
    let x = Tensor::randn([256, 8], (Kind::Float, Device::Cpu));
    let w = Tensor::arange(8, (Kind::Float, Device::Cpu)).reshape([8, 1]) / 8.0;
    let y = x.matmul(&w);
    let mut opt = nn::Adam::default().build(&vs, 1e-2).unwrap();
    let first = net.forward(&x).mse_loss(&y, tch::Reduction::Mean).double_value(&[]);
    let mut last = first;
    for _ in 0..60 {
        let loss = net.forward(&x).mse_loss(&y, tch::Reduction::Mean);
        opt.backward_step(&loss);
        last = loss.double_value(&[]);
    }
    assert!(last.is_finite());
    assert!(last < 0.2 * first, "loss went from {first} to {last}");
}

/// Run on a GPU machine only: `cargo test -p mi-torch --features cuda`.
#[cfg(feature = "cuda")]
#[test]
fn cuda_is_really_available() {
    assert!(
        tch::Cuda::is_available(),
        "libtorch at {} does not see a GPU (was libtorch_cuda.so linked?)",
        mi_torch::libtorch_lib_dir()
    );
    let d = mi_torch::resolve_device(mi_torch::DeviceChoice::Cuda(0)).unwrap();
    let a = Tensor::randn([64, 64], (Kind::Float, d));
    let b = a.matmul(&a.transpose(0, 1));
    assert_eq!(b.device(), Device::Cuda(0));
}
