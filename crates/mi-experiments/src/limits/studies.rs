//! The parts without training: the optimal critic, InfoNCE's saturation, the ln N cap.
use super::*;

/// The optimal-critic study (no training): NWJ, DV, InfoNCE on B×B batches of the staircase.
pub fn optimal_study(s: &LimitsSettings, say: &dyn Fn(&str)) -> Result<Vec<OptimalLevel>> {
    let (d, b, t) = (s.staircase.dim, s.optimal.batch, s.optimal.trials);
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0x0971_a1c0);
    let mut out = vec![];
    for &mi in &s.optimal.levels_nats {
        let task = Task::staircase(d, mi)?;
        let (mut nwjs, mut dvs, mut gaps, mut nces) = (vec![], vec![], vec![], vec![]);
        for _ in 0..t {
            let (x, y) = task.sample(b, rng.gen());
            let sc = theory::optimal_scores(&x.view(), &y.view(), mi);
            let n = bounds::nwj(&(&sc + 1.0).view())?;
            let v = bounds::dv(&sc.view())?;
            nwjs.push(n);
            dvs.push(v);
            gaps.push(v - n);
            nces.push(bounds::infonce(&sc.view())?);
        }
        let (nm, nv, _) = mean_var(nwjs);
        let (dm, _, _) = mean_var(dvs);
        let (gm, _, _) = mean_var(gaps);
        let (im, _, _) = mean_var(nces);
        let lvl = OptimalLevel {
            mi_nats: mi,
            batch: b,
            trials: t,
            nwj_mean_nats: nm,
            nwj_variance: nv,
            nwj_variance_theory: theory::nwj_optimal_variance(d, mi, b),
            nwj_variance_bound: theory::song_ermon_variance_bound(mi, b * (b - 1)),
            dv_mean_nats: dm,
            dv_bias_nats: dm - mi,
            dv_bias_paired_nats: gm,
            dv_bias_delta_theory: theory::dv_optimal_bias_delta(d, mi, b),
            infonce_mean_nats: im,
        };
        say(&format!(
            "limits: optimal critic at {mi} nats: Var[NWJ] {:.4} (theory {:.4}, bound {:.4}), DV bias {:.4}",
            lvl.nwj_variance, lvl.nwj_variance_theory, lvl.nwj_variance_bound, lvl.dv_bias_paired_nats
        ));
        out.push(lvl);
    }
    Ok(out)
}

/// InfoNCE of the optimal critic for each batch size and MI level.
pub fn saturation_study(s: &LimitsSettings) -> Result<Vec<SaturationPoint>> {
    let d = s.staircase.dim;
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0x5a7_0ce5);
    let mut out = vec![];
    for &b in &s.optimal.infonce_batches {
        for &mi in &s.optimal.levels_nats {
            let task = Task::staircase(d, mi)?;
            let vals: Vec<f64> = (0..s.optimal.infonce_trials)
                .map(|_| {
                    let (x, y) = task.sample(b, rng.gen());
                    bounds::infonce(&theory::optimal_scores(&x.view(), &y.view(), mi).view())
                })
                .collect::<std::result::Result<_, _>>()?;
            let (m, v, n) = mean_var(vals.iter().copied());
            out.push(SaturationPoint {
                batch: b,
                mi_nats: mi,
                trials: n,
                mean_nats: m,
                sd_nats: if v.is_finite() { v.sqrt() } else { 0.0 },
                max_nats: vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                log_batch: (b as f64).ln(),
            });
        }
    }
    Ok(out)
}

/// The ln N study at the top level: optimal-critic InfoNCE and Gaussian DoE from N samples (the
/// trained critics' evaluations are added from their runs by [`add_trained`]).
pub fn cap_study(s: &LimitsSettings, say: &dyn Fn(&str)) -> Result<Vec<CapPoint>> {
    let d = s.staircase.dim;
    let mi = *s.staircase.levels_nats.last().ok_or_else(|| ExperimentError::Invalid("no levels".into()))?;
    let gauss = TaskVariant::Gaussian.task(d, mi)?;
    let cubic = TaskVariant::Cubic.task(d, mi)?;
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0xcab_0f1e);
    let mut sizes: Vec<usize> = s.cap.sizes.iter().chain(&s.staircase.cap_sizes).copied().collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut out = vec![];
    for n in sizes {
        let (mut nce, mut doe_g, mut doe_c) = (vec![], vec![], vec![]);
        if s.cap.sizes.contains(&n) {
            for _ in 0..s.cap.trials {
                let (x, y) = gauss.sample(n, rng.gen());
                nce.push(theory::infonce_optimal_blocked(&x.view(), &y.view(), mi, 256));
                doe_g.push(theory::gaussian_doe(&x.view(), &y.view()).map(|e| e.mi_nats));
                let (xc, yc) = cubic.sample(n, rng.gen());
                doe_c.push(theory::gaussian_doe(&xc.view(), &yc.view()).map(|e| e.mi_nats));
            }
        }
        let all = |v: &[Option<f64>]| -> Option<Vec<f64>> { (!v.is_empty()).then(|| v.iter().copied().collect::<Option<Vec<f64>>>()).flatten() };
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let p = CapPoint {
            n,
            ln_n: (n as f64).ln(),
            mi_nats: mi,
            infonce_optimal_mean_nats: if nce.is_empty() { f64::NAN } else { mean(&nce) },
            infonce_optimal_max_nats: nce.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            doe_gaussian_mean_nats: all(&doe_g).map(|v| mean(&v)),
            doe_gaussian_min_nats: all(&doe_g).map(|v| v.iter().copied().fold(f64::INFINITY, f64::min)),
            doe_cubic_mean_nats: all(&doe_c).map(|v| mean(&v)),
            trained: vec![],
        };
        say(&format!(
            "limits: N = {n}: ln N {:.3}, optimal InfoNCE {:.3}, Gaussian DoE {}",
            p.ln_n,
            p.infonce_optimal_mean_nats,
            p.doe_gaussian_mean_nats.map_or("not defined".into(), |v| format!("{v:.3}"))
        ));
        out.push(p);
    }
    Ok(out)
}

/// The cap points with the trained critics' evaluations (recorded with their runs) filled in.
pub fn add_trained(points: &[CapPoint], records: &[RunRecord]) -> Vec<CapPoint> {
    let mut out = points.to_vec();
    for p in &mut out {
        p.trained.clear();
        for r in records {
            for c in r.cap_eval.iter().filter(|c| c.n == p.n) {
                let vals: Vec<f64> = c.values_nats.iter().flatten().copied().collect();
                if !vals.is_empty() {
                    p.trained.push(TrainedCap {
                        config: r.config.clone(),
                        task: r.task,
                        estimator: c.estimator,
                        mean_nats: vals.iter().sum::<f64>() / vals.len() as f64,
                        max_nats: vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        trials: vals.len(),
                    });
                }
            }
        }
    }
    out
}
