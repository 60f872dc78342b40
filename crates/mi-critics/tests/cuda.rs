//! GPU checks (not run in CI): `cargo test -p mi-critics --features cuda` on a CUDA machine.
#![cfg(feature = "cuda")]
use mi_critics::*;
use tch::{nn, Device, Kind, Tensor};

#[test]
fn critics_agree_on_cpu_and_cuda() {
    assert!(tch::Cuda::is_available(), "the cuda feature needs a GPU");
    let mut vs = nn::VarStore::new(Device::Cpu);
    let critics: Vec<Box<dyn Critic>> = vec![
        Box::new(Bilinear::paper(&vs.root().sub("a")).unwrap()),
        Box::new(Separable::paper(&vs.root().sub("b")).unwrap()),
        Box::new(ConcatMlp::paper(&vs.root().sub("c")).unwrap()),
    ];
    let u = Tensor::randn([128, 100], (Kind::Float, Device::Cpu));
    let v = Tensor::randn([128, 100], (Kind::Float, Device::Cpu));
    let cpu: Vec<Tensor> = critics.iter().map(|c| c.scores(&u, &v)).collect();
    vs.set_device(Device::Cuda(0));
    let (ug, vg) = (u.to_device(Device::Cuda(0)), v.to_device(Device::Cuda(0)));
    for (c, want) in critics.iter().zip(cpu.iter()) {
        let got = c.scores(&ug, &vg).to_device(Device::Cpu);
        let err = (got - want).abs().max().double_value(&[]);
        assert!(err < 1e-3, "cpu/cuda mismatch {err}");
    }
}
