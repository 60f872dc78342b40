use super::*;
use crate::bounds::testing::random_scores;
use crate::bounds::{js, mine, MineEma};
use ndarray::{Array1, Array2};
use std::collections::{BTreeMap, HashSet};

/// Every variant, with several parameters.
fn all() -> Vec<Bound> {
    let mut v = vec![Bound::Infonce, Bound::Nwj, Bound::Dv, Bound::Mine, Bound::Tuba, Bound::Js];
    v.extend([1.0, 5.0, 2.5, 0.1, f64::INFINITY].map(|tau| Bound::Smile { tau }));
    v.extend([0.01, 0.0, 0.3, 1.0, 1e-7].map(|alpha| Bound::Ialpha { alpha }));
    v
}

#[test]
fn canonical_names_round_trip() {
    for b in all() {
        let name = b.to_string();
        assert_eq!(Bound::parse(&name), Ok(b), "{name}");
        assert_eq!(name.parse::<Bound>(), Ok(b), "{name}");
        assert_eq!(Bound::parse(&name).unwrap().to_string(), name);
    }
    // the names already in result files: A1–A4 and the staircase
    let fixed = [(Bound::Infonce, "infonce"), (Bound::Nwj, "nwj"), (Bound::Smile { tau: 1.0 }, "smile_tau1"), (Bound::Smile { tau: 5.0 }, "smile_tau5")];
    for (b, name) in fixed {
        assert_eq!(b.to_string(), name);
    }
    assert_eq!(Bound::Ialpha { alpha: 0.01 }.to_string(), "ialpha_alpha0.01");
    assert_eq!(Bound::Smile { tau: f64::INFINITY }.to_string(), "smile_tauinf");
}

#[test]
fn every_older_name_parses() {
    let older = [
        ("infonce", Bound::Infonce),
        ("nwj", Bound::Nwj),
        ("dv", Bound::Dv),
        ("mine", Bound::Mine),
        ("smile", Bound::Smile { tau: 5.0 }),
        ("js", Bound::Js),
        ("ialpha", Bound::Ialpha { alpha: 0.01 }),
        ("dv_mine", Bound::Mine),
        ("js_nwj", Bound::Js),
        ("smile_tau1", Bound::Smile { tau: 1.0 }),
        ("smile_tau5", Bound::Smile { tau: 5.0 }),
        ("i_alpha", Bound::Ialpha { alpha: 0.01 }),
        ("tuba", Bound::Tuba),
    ];
    for (name, b) in older {
        assert_eq!(Bound::parse(name), Ok(b), "{name}");
    }
    for name in Bound::NAMES {
        assert!(Bound::parse(name).is_ok(), "{name}");
    }
}

#[test]
fn bad_names_say_what_is_accepted() {
    for name in ["", "InfoNCE", "nce", "smile_tau", "smile_tauabc", "ialpha_alpha", "dv-mine", " nwj"] {
        let e = Bound::parse(name).unwrap_err().to_string();
        assert!(e.contains("expected one of infonce, nwj, dv, mine, tuba, js, smile"), "{name}: {e}");
    }
    for (name, param) in [("smile_tau0", "tau"), ("smile_tau-1", "tau"), ("smile_tauNaN", "tau"), ("ialpha_alpha1.5", "alpha"), ("ialpha_alpha-0.1", "alpha")] {
        let e = Bound::parse(name).unwrap_err().to_string();
        assert!(e.contains(param), "{name}: {e}");
    }
    assert!(Bound::smile(0.0).is_err() && Bound::ialpha(2.0).is_err());
    assert_eq!(Bound::smile(1.0), Ok(Bound::Smile { tau: 1.0 }));
    assert_eq!(Bound::ialpha(0.5), Ok(Bound::Ialpha { alpha: 0.5 }));
}

#[test]
fn serde_writes_canonical_and_reads_older_names() {
    assert_eq!(serde_json::to_string(&Bound::Infonce).unwrap(), "\"infonce\"");
    assert_eq!(serde_json::to_string(&Bound::Nwj).unwrap(), "\"nwj\"");
    for b in all() {
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, format!("\"{b}\""));
        assert_eq!(serde_json::from_str::<Bound>(&json).unwrap(), b);
    }
    assert_eq!(serde_json::from_str::<Bound>("\"dv_mine\"").unwrap(), Bound::Mine);
    assert_eq!(serde_json::from_str::<Bound>("\"js_nwj\"").unwrap(), Bound::Js);
    assert_eq!(serde_json::from_str::<Bound>("\"i_alpha\"").unwrap(), Bound::Ialpha { alpha: 0.01 });
    assert_eq!(serde_json::from_str::<Bound>("\"smile\"").unwrap(), Bound::Smile { tau: 5.0 });
    let e = serde_json::from_str::<Bound>("\"bogus\"").unwrap_err().to_string();
    assert!(e.contains("expected one of"), "{e}");
    assert!(serde_json::from_str::<Bound>("3").is_err());
}

/// The staircase keys its records by estimator: an older record reads, and a map writes its keys
/// in the staircase's old order.
#[test]
fn map_keys_keep_the_staircase_order() {
    let old = r#"{"infonce":[1],"nwj":[2],"dv_mine":[3],"js_nwj":[4],"smile_tau1":[5],"smile_tau5":[6],"i_alpha":[7]}"#;
    let m: BTreeMap<Bound, Vec<i32>> = serde_json::from_str(old).unwrap();
    let keys: Vec<Bound> = m.keys().copied().collect();
    let want =
        [Bound::Infonce, Bound::Nwj, Bound::Mine, Bound::Js, Bound::Smile { tau: 1.0 }, Bound::Smile { tau: 5.0 }, Bound::Ialpha { alpha: 0.01 }];
    assert_eq!(keys, want);
    assert_eq!(m.values().map(|v| v[0]).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7]);
    let written = serde_json::to_string(&m).unwrap();
    assert_eq!(written, r#"{"infonce":[1],"nwj":[2],"mine":[3],"js":[4],"smile_tau1":[5],"smile_tau5":[6],"ialpha_alpha0.01":[7]}"#);
    assert_eq!(serde_json::from_str::<BTreeMap<Bound, Vec<i32>>>(&written).unwrap(), m);
}

#[test]
fn equality_order_and_hash_see_the_parameter() {
    let (s1, s5) = (Bound::Smile { tau: 1.0 }, Bound::Smile { tau: 5.0 });
    assert!(s1 != s5 && s1 < s5 && s5 < Bound::Ialpha { alpha: 0.0 } && Bound::Js < s1);
    assert_eq!(s5, Bound::Smile { tau: 5.0 });
    let set: HashSet<Bound> = all().into_iter().chain(all()).collect();
    assert_eq!(set.len(), all().len());
    let mut sorted = all();
    sorted.sort();
    assert!(sorted.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn labels_and_symbols() {
    let staircase = [
        (Bound::Infonce, "InfoNCE"),
        (Bound::Nwj, "NWJ"),
        (Bound::Mine, "DV/MINE"),
        (Bound::Js, "JS (NWJ of the JS critic)"),
        (Bound::Smile { tau: 1.0 }, "SMILE τ=1"),
        (Bound::Smile { tau: 5.0 }, "SMILE τ=5"),
        (Bound::Ialpha { alpha: 0.01 }, "I_α (α=0.01)"),
    ];
    for (b, label) in staircase {
        assert_eq!(b.label(), label);
    }
    assert_eq!(Bound::Infonce.symbol(), "I_NCE");
    assert_eq!(Bound::Nwj.symbol(), "I_NWJ");
    let symbols: HashSet<&str> = all().iter().map(Bound::symbol).collect();
    assert_eq!(symbols.len(), 8);
}

/// Bit-identical to the free functions, and different bounds give different values on these
/// matrices (so a dispatch to the wrong function would show).
#[test]
fn values_are_the_free_functions() {
    for seed in 0..4 {
        let b = 3 + 5 * seed as usize;
        let s = random_scores(b, 1.5, seed);
        let lb = Array1::from_shape_fn(b, |i| 0.2 * i as f64 - 0.5);
        let (sv, lv) = (s.view(), lb.view());
        let want = |bound: Bound| -> f64 {
            match bound {
                Bound::Infonce => infonce(&sv),
                Bound::Nwj => nwj(&sv),
                Bound::Dv => dv(&sv),
                Bound::Mine => mine(&sv, &mut MineEma::new(0.9).unwrap()),
                Bound::Tuba => tuba(&sv, &lv),
                Bound::Js => nwj(&(&s + 1.0).view()),
                Bound::Smile { tau } => smile(&sv, tau),
                Bound::Ialpha { alpha } => interpolated(&sv, &lv, alpha),
            }
            .unwrap()
        };
        let mut seen = vec![];
        for bound in all() {
            let v = bound.value_with_baseline(&sv, Some(&lv)).unwrap();
            assert_eq!(v.to_bits(), want(bound).to_bits(), "{bound}, seed {seed}");
            if !bound.needs_baseline() {
                assert_eq!(bound.value(&sv).unwrap().to_bits(), v.to_bits(), "{bound} must ignore the baseline");
            }
            if matches!(bound, Bound::Infonce | Bound::Nwj | Bound::Dv | Bound::Tuba | Bound::Js) || bound == (Bound::Smile { tau: 1.0 }) {
                seen.push((bound, v));
            }
        }
        for (i, (a, x)) in seen.iter().enumerate() {
            for (c, y) in &seen[i + 1..] {
                assert_ne!(x, y, "{a} and {c} agree on seed {seed}");
            }
        }
        assert_ne!(Bound::Js.value(&sv).unwrap(), js(&sv).unwrap(), "JS reads as NWJ of f + 1, not as the JS objective");
    }
}

#[test]
fn baseline_bounds_say_what_is_missing() {
    let s = random_scores(4, 1.0, 9);
    for bound in [Bound::Tuba, Bound::Ialpha { alpha: 0.01 }] {
        assert!(bound.needs_baseline());
        match bound.value(&s.view()) {
            Err(EstimatorError::MissingInput { bound: name, input }) => {
                assert_eq!(name, bound.to_string());
                assert!(input.contains("baseline"));
            }
            other => panic!("{bound}: {other:?}"),
        }
    }
    let short = Array1::zeros(3);
    assert!(Bound::Tuba.value_with_baseline(&s.view(), Some(&short.view())).is_err());
    assert!(Bound::Infonce.value(&Array2::zeros((2, 3)).view()).is_err());
}

#[test]
fn only_infonce_is_capped_at_log_batch() {
    for bound in all() {
        match bound {
            Bound::Infonce => assert_eq!(bound.cap_nats(16), Some(16f64.ln())),
            _ => assert_eq!(bound.cap_nats(16), None, "{bound}"),
        }
    }
    let s = Array2::from_shape_fn((16, 16), |(i, j)| if i == j { 60.0 } else { 0.0 });
    let v = Bound::Infonce.value(&s.view()).unwrap();
    assert!(v <= 16f64.ln() && v > 16f64.ln() - 1e-12);
}

#[cfg(feature = "tch")]
mod tensor {
    use super::*;
    use crate::bounds::testing::{to_tensor, value};
    use crate::bounds::{dv_tensor, infonce_tensor, interpolated_tensor, js_tensor, mine_tensor, nwj_tensor, smile_tensor, tuba_tensor};
    use tch::Tensor;

    /// The tensor forms are the free tensor functions (same value bit for bit) and agree with
    /// `value` within 1e-6 (JS: with the JS objective, which is what it trains).
    #[test]
    fn tensor_forms_agree() {
        for seed in 0..4 {
            let b = 2 + 7 * seed as usize;
            let s = random_scores(b, 2.0, seed);
            let lb = Array1::from_shape_fn(b, |i| 0.3 * i as f64 - 0.4);
            let (st, lbt) = (to_tensor(&s), Tensor::from_slice(lb.as_slice().unwrap()));
            for bound in all() {
                let (mut e1, mut e2) = (MineEma::new(0.9).unwrap(), MineEma::new(0.9).unwrap());
                let t = value(&bound.tensor_with(&st, Some(&mut e1), Some(&lbt)).unwrap());
                let free = match bound {
                    Bound::Infonce => infonce_tensor(&st),
                    Bound::Nwj => nwj_tensor(&st),
                    Bound::Dv => dv_tensor(&st),
                    Bound::Mine => mine_tensor(&st, &mut e2),
                    Bound::Tuba => tuba_tensor(&st, &lbt),
                    Bound::Js => js_tensor(&st),
                    Bound::Smile { tau } => smile_tensor(&st, tau),
                    Bound::Ialpha { alpha } => interpolated_tensor(&st, &lbt, alpha),
                };
                assert_eq!(t.to_bits(), value(&free.unwrap()).to_bits(), "{bound}");
                assert_eq!(e1, e2, "{bound}: the moving average must be updated like mine_tensor's");
                let f = match bound {
                    Bound::Js => js(&s.view()).unwrap(),
                    _ => bound.value_with_baseline(&s.view(), Some(&lb.view())).unwrap(),
                };
                assert!((f - t).abs() < 1e-6, "{bound}, seed {seed}: {f} vs {t}");
                if !matches!(bound, Bound::Mine) && !bound.needs_baseline() {
                    assert_eq!(value(&bound.tensor(&st).unwrap()).to_bits(), t.to_bits(), "{bound}");
                }
            }
        }
    }

    #[test]
    fn tensor_says_what_is_missing() {
        let st = to_tensor(&random_scores(5, 1.0, 3));
        let missing = |bound: Bound| match bound.tensor(&st) {
            Err(EstimatorError::MissingInput { input, .. }) => input,
            other => panic!("{bound}: {other:?}"),
        };
        assert!(missing(Bound::Mine).contains("MineEma"));
        assert!(missing(Bound::Tuba).contains("baseline"));
        assert!(missing(Bound::Ialpha { alpha: 0.5 }).contains("baseline"));
        let mut ema = MineEma::new(0.9).unwrap();
        let v = value(&Bound::Mine.tensor_with(&st, Some(&mut ema), None).unwrap());
        assert!(ema.log_ema().is_some() && v.is_finite());
    }
}
