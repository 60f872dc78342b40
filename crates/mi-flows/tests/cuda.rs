//! GPU checks (not run in CI): `cargo test -p mi-flows --features cuda` on a CUDA machine.
#![cfg(feature = "cuda")]
use mi_flows::*;
use tch::{nn, Device, Kind, Tensor};

#[test]
fn flows_round_trip_on_cuda() {
    assert!(tch::Cuda::is_available(), "the cuda feature needs a GPU");
    let dev = Device::Cuda(0);
    let mut vs = nn::VarStore::new(dev);
    vs.set_kind(Kind::Double);
    let nvp = RealNvp::new(&vs.root().sub("a"), &RealNvpConfig::new(8, 4, &[16], CouplingKind::Affine(Scale::Exp), 1))
        .unwrap();
    let naf = Naf2d::new(&vs.root().sub("b"), &Naf2dConfig { layers: 2, components: 4, hidden: vec![8] }).unwrap();
    for (flow, d) in [(&nvp as &dyn Flow, 8), (&naf as &dyn Flow, 2)] {
        let x = Tensor::randn([32, d], (Kind::Double, dev));
        let (y, ld) = flow.forward(&x);
        let (back, ld_inv) = flow.inverse(&y);
        assert!((back - &x).abs().max().double_value(&[]) < 1e-9);
        assert!((ld + ld_inv).abs().max().double_value(&[]) < 1e-9);
    }
}
