//! Elementwise inversion of strictly increasing functions by bisection.
use tch::{Kind, Tensor};

/// Solves `f(x) = y` elementwise for a strictly increasing, elementwise `f: ℝ → ℝ` (applied to a
/// whole tensor at once). The bracket starts at [−1, 1] and doubles until it holds the root (up to
/// ±2^60), then bisection runs until the bracket is a few ulps wide or 200 halvings have passed,
/// so the result is accurate to about machine precision of `y`'s kind. No gradient is recorded.
pub fn invert_increasing(f: impl Fn(&Tensor) -> Tensor, y: &Tensor) -> Tensor {
    tch::no_grad(|| {
        let mut lo = Tensor::full_like(y, -1.0);
        let mut hi = Tensor::full_like(y, 1.0);
        for _ in 0..60 {
            let too_high = f(&lo).gt_tensor(y);
            if too_high.any().int64_value(&[]) == 0 {
                break;
            }
            lo = (&lo * 2.0).where_self(&too_high, &lo);
        }
        for _ in 0..60 {
            let too_low = f(&hi).lt_tensor(y);
            if too_low.any().int64_value(&[]) == 0 {
                break;
            }
            hi = (&hi * 2.0).where_self(&too_low, &hi);
        }
        let rel = if y.kind() == Kind::Double { 4e-16 } else { 2e-7 };
        for _ in 0..200 {
            let mid = (&lo + &hi) * 0.5;
            let go_right = f(&mid).lt_tensor(y);
            lo = mid.where_self(&go_right, &lo);
            hi = hi.where_self(&go_right, &mid);
            let width = (&hi - &lo) - (lo.abs().maximum(&hi.abs()) + 1.0) * rel;
            if width.max().double_value(&[]) <= 0.0 {
                break;
            }
        }
        (lo + hi) * 0.5
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_a_cubic_to_machine_precision() {
        let x = Tensor::linspace(-30.0, 30.0, 101, (Kind::Double, tch::Device::Cpu));
        let f = |t: &Tensor| t * t * t + t;
        let y = f(&x);
        let back = invert_increasing(f, &y);
        let err = (back - &x).abs().max().double_value(&[]);
        assert!(err < 1e-12, "err {err}");
    }
}
