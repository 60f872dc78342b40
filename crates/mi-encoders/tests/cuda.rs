//! GPU checks (not run in CI): `cargo test -p mi-encoders --features cuda` on a CUDA machine.
#![cfg(feature = "cuda")]
use mi_encoders::*;
use tch::{nn, Device, Kind, Tensor};

#[test]
fn encoders_agree_on_cpu_and_cuda() {
    assert!(tch::Cuda::is_available(), "the cuda feature needs a GPU");
    mi_torch::seed_everything(0);
    let x = Tensor::rand([16, 392], (Kind::Float, Device::Cpu));
    let mut vs = nn::VarStore::new(Device::Cpu);
    let mlp = Mlp::paper(&vs.root().sub("m")).unwrap();
    let conv = ConvNet::paper(&vs.root().sub("c")).unwrap();
    let skip = SkipMlp::paper(&vs.root().sub("s")).unwrap();
    let cpu: Vec<Tensor> = vec![mlp.encode(&x), conv.encode(&x), skip.encode(&x)];
    vs.set_device(Device::Cuda(0));
    let xg = x.to_device(Device::Cuda(0));
    let gpu = [mlp.encode(&xg), conv.encode(&xg), skip.encode(&xg)];
    for (c, g) in cpu.iter().zip(gpu.iter()) {
        let err = (c - g.to_device(Device::Cpu)).abs().max().double_value(&[]);
        assert!(err < 1e-4, "cpu/cuda mismatch {err}");
    }
    let j = jacobian::jacobians(&skip, &xg.narrow(0, 0, 8), 4096).unwrap();
    assert_eq!(j.device(), Device::Cuda(0));
    let lc = jacobian::log_condition_numbers(&j).unwrap();
    assert!(lc.iter().all(|v| *v < 0.05));
}
