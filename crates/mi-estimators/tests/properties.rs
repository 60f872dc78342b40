//! Property tests (proptest) of the bounds, the discrete closed forms and the Gaussian MI.
//! Case count: proptest's default, or `PROPTEST_CASES` (CI uses 64).
use mi_estimators::bounds::{dv, infonce, interpolated, js, nwj, smile, tuba};
use mi_estimators::discrete::{entropy_nats, kl_divergence_nats, mutual_information_nats};
use mi_estimators::gaussian::gaussian_mi_nats;
use ndarray::{s, Array1, Array2};
use proptest::prelude::*;

/// A B×B score matrix with entries in [−scale, scale], B in 2..=12.
fn scores(scale: f64) -> impl Strategy<Value = Array2<f64>> {
    (2usize..=12).prop_flat_map(move |b| {
        prop::collection::vec(-scale..=scale, b * b).prop_map(move |v| Array2::from_shape_vec((b, b), v).unwrap())
    })
}

/// A random pmf of length n (entries may be exactly zero).
fn pmf(n: usize) -> impl Strategy<Value = Array1<f64>> {
    prop::collection::vec(prop_oneof![1 => Just(0.0), 4 => 0.0..1.0f64], n).prop_filter_map("all zero", |v| {
        let t: f64 = v.iter().sum();
        (t > 1e-3).then(|| Array1::from(v) / t)
    })
}

fn joint(r: usize, c: usize) -> impl Strategy<Value = Array2<f64>> {
    pmf(r * c).prop_map(move |p| p.into_shape_with_order((r, c)).unwrap())
}

/// A random row-stochastic matrix (a channel) with `r` inputs and `c` outputs.
fn channel(r: usize, c: usize) -> impl Strategy<Value = Array2<f64>> {
    prop::collection::vec(pmf(c), r).prop_map(move |rows| {
        let mut m = Array2::zeros((r, c));
        for (i, row) in rows.iter().enumerate() {
            m.row_mut(i).assign(row);
        }
        m
    })
}

/// All bounds on one matrix (baseline 1 for TUBA/I_α, α = 0.5, τ = 5).
fn all_bounds(s: &Array2<f64>) -> Vec<f64> {
    let b = s.nrows();
    let lb = Array1::from_elem(b, 1.0);
    vec![
        infonce(&s.view()).unwrap(),
        nwj(&s.view()).unwrap(),
        dv(&s.view()).unwrap(),
        js(&s.view()).unwrap(),
        smile(&s.view(), 5.0).unwrap(),
        tuba(&s.view(), &lb.view()).unwrap(),
        interpolated(&s.view(), &lb.view(), 0.5).unwrap(),
    ]
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

proptest! {
    #[test]
    fn infonce_never_exceeds_log_b(s in scores(50.0)) {
        prop_assert!(infonce(&s.view()).unwrap() <= (s.nrows() as f64).ln());
    }

    #[test]
    fn dv_at_least_nwj(s in scores(20.0)) {
        let (d, n) = (dv(&s.view()).unwrap(), nwj(&s.view()).unwrap());
        prop_assert!(d >= n - 1e-9 * (1.0 + d.abs()), "DV {} < NWJ {}", d, n);
    }

    #[test]
    fn dv_and_infonce_shift_invariant(s in scores(20.0), c in -100.0..100.0f64) {
        let t = &s + c;
        prop_assert!(close(dv(&s.view()).unwrap(), dv(&t.view()).unwrap(), 1e-10));
        prop_assert!(close(infonce(&s.view()).unwrap(), infonce(&t.view()).unwrap(), 1e-10));
    }

    #[test]
    fn infonce_invariant_to_row_constants(s in scores(20.0), c in prop::collection::vec(-50.0..50.0f64, 12)) {
        let mut t = s.clone();
        for (i, mut row) in t.rows_mut().into_iter().enumerate() {
            row += c[i];
        }
        prop_assert!(close(infonce(&s.view()).unwrap(), infonce(&t.view()).unwrap(), 1e-10));
    }

    #[test]
    fn bounds_invariant_to_joint_permutation(s in scores(10.0), key in prop::collection::vec(any::<u32>(), 12)) {
        let b = s.nrows();
        let mut perm: Vec<usize> = (0..b).collect();
        perm.sort_by_key(|&i| (key[i], i));
        let t = Array2::from_shape_fn((b, b), |(i, j)| s[[perm[i], perm[j]]]);
        for (a, c) in all_bounds(&s).into_iter().zip(all_bounds(&t)) {
            prop_assert!(close(a, c, 1e-10), "{} vs {}", a, c);
        }
    }

    #[test]
    fn bounds_finite_for_huge_scores(s in scores(1e4)) {
        let b = s.nrows();
        let lb = Array1::from_elem(b, 1.0);
        for v in [infonce(&s.view()).unwrap(), dv(&s.view()).unwrap(), js(&s.view()).unwrap(), smile(&s.view(), 5.0).unwrap(), smile(&s.view(), f64::INFINITY).unwrap()] {
            prop_assert!(v.is_finite());
        }
        // bounds with a mean of e^S: finite unless that mean overflows, then −∞ — never NaN
        let max_off = s.indexed_iter().filter(|((i, j), _)| i != j).map(|(_, &v)| v).fold(f64::NEG_INFINITY, f64::max);
        for v in [nwj(&s.view()).unwrap(), tuba(&s.view(), &lb.view()).unwrap(), interpolated(&s.view(), &lb.view(), 0.5).unwrap()] {
            prop_assert!(!v.is_nan());
            if max_off < 700.0 { prop_assert!(v.is_finite()); } else { prop_assert!(v.is_finite() || v == f64::NEG_INFINITY); }
        }
    }

    #[test]
    fn kl_and_mi_non_negative((p, q) in (2usize..8).prop_flat_map(|n| (pmf(n), pmf(n))), pxy in (1usize..6, 1usize..6).prop_flat_map(|(r, c)| joint(r, c))) {
        prop_assert!(kl_divergence_nats(&p.view(), &q.view()).unwrap() >= 0.0);
        prop_assert_eq!(kl_divergence_nats(&p.view(), &p.view()).unwrap(), 0.0);
        prop_assert!(mutual_information_nats(&pxy.view()).unwrap() >= 0.0);
    }

    #[test]
    fn mi_symmetric(pxy in (1usize..6, 1usize..6).prop_flat_map(|(r, c)| joint(r, c))) {
        let a = mutual_information_nats(&pxy.view()).unwrap();
        let b = mutual_information_nats(&pxy.t().to_owned().view()).unwrap();
        prop_assert!((a - b).abs() < 1e-12);
    }

    #[test]
    fn self_information_is_entropy(p in (1usize..10).prop_flat_map(pmf)) {
        let pxx = Array2::from_diag(&p);
        let h = entropy_nats(&p.view()).unwrap();
        prop_assert!((mutual_information_nats(&pxx.view()).unwrap() - h).abs() < 1e-12);
    }

    /// X → Y → Z: I(X; Z) ≤ I(X; Y) and ≤ I(Y; Z).
    #[test]
    fn data_processing_inequality(
        (px, kxy, kyz) in (1usize..6, 1usize..6, 1usize..6).prop_flat_map(|(a, b, c)| (pmf(a), channel(a, b), channel(b, c)))
    ) {
        let pxy = Array2::from_diag(&px).dot(&kxy);
        let pxz = pxy.dot(&kyz);
        let py = pxy.sum_axis(ndarray::Axis(0));
        let pyz = Array2::from_diag(&py).dot(&kyz);
        let (ixy, ixz, iyz) = (
            mutual_information_nats(&pxy.view()).unwrap(),
            mutual_information_nats(&pxz.view()).unwrap(),
            mutual_information_nats(&pyz.view()).unwrap(),
        );
        prop_assert!(ixz <= ixy + 1e-12, "I(X;Z) {} > I(X;Y) {}", ixz, ixy);
        prop_assert!(ixz <= iyz + 1e-12, "I(X;Z) {} > I(Y;Z) {}", ixz, iyz);
    }

    /// The slides' Theorem 3: for X = (X1, X2) and any g1, g2,
    /// I(X; (g1(X1), g2(X2))) ≥ I(g1(X1); g2(X2)).
    #[test]
    fn theorem_3(
        (p, g1, g2) in (1usize..5, 1usize..5).prop_flat_map(|(n1, n2)| (joint(n1, n2), prop::collection::vec(0usize..3, n1), prop::collection::vec(0usize..3, n2)))
    ) {
        let (n1, n2) = p.dim();
        // joint of X = (X1, X2) (rows, n1·n2) and Y = (g1(X1), g2(X2)) (columns, 3·3)
        let mut pxy = Array2::zeros((n1 * n2, 9));
        let mut pyy = Array2::zeros((3, 3));
        for a in 0..n1 {
            for b in 0..n2 {
                pxy[[a * n2 + b, g1[a] * 3 + g2[b]]] += p[[a, b]];
                pyy[[g1[a], g2[b]]] += p[[a, b]];
            }
        }
        let lhs = mutual_information_nats(&pxy.view()).unwrap();
        let rhs = mutual_information_nats(&pyy.view()).unwrap();
        prop_assert!(lhs >= rhs - 1e-12, "{} < {}", lhs, rhs);
    }

    /// Gaussian MI is unchanged by invertible affine maps of X and of Y separately.
    #[test]
    fn gaussian_mi_affine_invariant(
        (dx, dy, a, mx, my) in (1usize..4, 1usize..4).prop_flat_map(|(dx, dy)| {
            let d = dx + dy;
            (Just(dx), Just(dy), prop::collection::vec(-1.0..1.0f64, d * d), prop::collection::vec(-1.0..1.0f64, dx * dx), prop::collection::vec(-1.0..1.0f64, dy * dy))
        })
    ) {
        let d = dx + dy;
        let a = Array2::from_shape_vec((d, d), a).unwrap();
        let cov = a.dot(&a.t()) + Array2::<f64>::eye(d) * 0.1;
        // invertible: diagonally dominant
        let mx = Array2::from_shape_vec((dx, dx), mx).unwrap() + Array2::<f64>::eye(dx) * (dx as f64 + 0.5);
        let my = Array2::from_shape_vec((dy, dy), my).unwrap() + Array2::<f64>::eye(dy) * (-(dy as f64) - 0.5);
        let mut m = Array2::zeros((d, d));
        m.slice_mut(s![..dx, ..dx]).assign(&mx);
        m.slice_mut(s![dx.., dx..]).assign(&my);
        let cov2 = m.dot(&cov).dot(&m.t());
        let cov2 = (&cov2 + &cov2.t()) / 2.0;
        let i1 = gaussian_mi_nats(&cov.view(), dx).unwrap();
        let i2 = gaussian_mi_nats(&cov2.view(), dx).unwrap();
        prop_assert!((i1 - i2).abs() < 1e-8 * (1.0 + i1), "{} vs {}", i1, i2);
    }
}
