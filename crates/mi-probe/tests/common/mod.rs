//! Test helpers: the golden fixture's dataset and an independent reference solver.
#![allow(dead_code)]
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2};

/// The fixture written by `scripts/probe/make_golden.py`.
pub fn fixture() -> serde_json::Value {
    let text = include_str!("../fixtures/sklearn_saga.json");
    serde_json::from_str(text).expect("the committed fixture is valid JSON")
}

/// The fixture's dataset, min-max scaled on the training rows: (x_train, y_train, x_test, y_test).
pub fn fixture_data(f: &serde_json::Value) -> (Array2<f64>, Array1<i64>, Array2<f64>, Array1<i64>) {
    let g = &f["generator"];
    let u = |k: &str| g[k].as_u64().expect("generator field") as usize;
    let (x, y) = mi_probe::synthetic::blobs(u("n"), u("d"), u("classes"), u("seed") as u64, g["mean_log2"].as_i64().unwrap() as i32, g["noise_log2"].as_i64().unwrap() as i32);
    let n_train = f["n_train"].as_u64().unwrap() as usize;
    let scaler = mi_probe::MinMaxScaler::fit(x.slice(s![..n_train, ..])).unwrap();
    let x_tr = scaler.transform(x.slice(s![..n_train, ..])).unwrap();
    let x_te = scaler.transform(x.slice(s![n_train.., ..])).unwrap();
    (x_tr, y.slice(s![..n_train]).to_owned(), x_te, y.slice(s![n_train..]).to_owned())
}

pub fn matrix(v: &serde_json::Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()).collect();
    let (n, d) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((n, d), rows.into_iter().flatten().collect()).unwrap()
}

pub fn vector(v: &serde_json::Value) -> Array1<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// Multinomial objective C·Σ CE + ½‖W‖² and its gradient, parameters θ = [W (K×d, row-major), b (K)].
pub fn multinomial_objective(theta: &[f64], x: ArrayView2<f64>, y: ArrayView1<i64>, k: usize, c: f64, grad: &mut [f64]) -> f64 {
    let (n, d) = x.dim();
    let w = ndarray::ArrayView2::from_shape((k, d), &theta[..k * d]).unwrap();
    let b = ndarray::ArrayView1::from(&theta[k * d..]);
    let mut z = x.dot(&w.t()) + b; // n × k
    let mut loss = 0.0;
    for (i, mut zr) in z.outer_iter_mut().enumerate() {
        let m = zr.fold(f64::NEG_INFINITY, |a, &v| a.max(v));
        let se: f64 = zr.iter().map(|v| (v - m).exp()).sum();
        let yi = y[i] as usize;
        loss += m + se.ln() - zr[yi];
        // z becomes the residual C (p − onehot)
        zr.mapv_inplace(|v| c * (v - m).exp() / se);
        zr[yi] -= c;
    }
    let gw = z.t().dot(&x) + w; // k × d
    let gb = z.sum_axis(ndarray::Axis(0));
    grad[..k * d].copy_from_slice(gw.as_slice().unwrap());
    grad[k * d..].copy_from_slice(gb.as_slice().unwrap());
    let _ = n;
    c * loss + 0.5 * w.iter().map(|v| v * v).sum::<f64>()
}

/// Limited-memory BFGS (two-loop recursion, m = 10) with a backtracking Armijo line search.
/// Returns (θ*, f(θ*), ‖∇f(θ*)‖₂).
pub fn lbfgs(mut f: impl FnMut(&[f64], &mut [f64]) -> f64, dim: usize, grad_tol: f64, max_iter: usize) -> (Vec<f64>, f64, f64) {
    let m = 10;
    let mut x = vec![0.0; dim];
    let mut g = vec![0.0; dim];
    let mut fx = f(&x, &mut g);
    let mut iters = 0;
    let mut ss: Vec<Vec<f64>> = vec![];
    let mut ys: Vec<Vec<f64>> = vec![];
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
    let mut xn = vec![0.0; dim];
    let mut gn = vec![0.0; dim];
    for _ in 0..max_iter {
        iters += 1;
        let gnorm = dot(&g, &g).sqrt();
        if gnorm < grad_tol {
            break;
        }
        // two-loop recursion
        let mut q = g.clone();
        let mut alphas = vec![0.0; ss.len()];
        for i in (0..ss.len()).rev() {
            let rho = 1.0 / dot(&ys[i], &ss[i]);
            alphas[i] = rho * dot(&ss[i], &q);
            for (qv, yv) in q.iter_mut().zip(&ys[i]) {
                *qv -= alphas[i] * yv;
            }
        }
        let gamma = if let (Some(s), Some(y)) = (ss.last(), ys.last()) { dot(s, y) / dot(y, y) } else { 1.0 / gnorm.max(1.0) };
        q.iter_mut().for_each(|v| *v *= gamma);
        for i in 0..ss.len() {
            let rho = 1.0 / dot(&ys[i], &ss[i]);
            let beta = rho * dot(&ys[i], &q);
            for (qv, sv) in q.iter_mut().zip(&ss[i]) {
                *qv += sv * (alphas[i] - beta);
            }
        }
        let mut dir: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&g, &dir);
        if slope >= 0.0 {
            dir = g.iter().map(|v| -v).collect();
            slope = -dot(&g, &g);
            ss.clear();
            ys.clear();
        }
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            for i in 0..dim {
                xn[i] = x[i] + t * dir[i];
            }
            let fnew = f(&xn, &mut gn);
            if fnew <= fx + 1e-4 * t * slope {
                let s: Vec<f64> = (0..dim).map(|i| xn[i] - x[i]).collect();
                let y: Vec<f64> = (0..dim).map(|i| gn[i] - g[i]).collect();
                if dot(&s, &y) > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() {
                    ss.push(s);
                    ys.push(y);
                    if ss.len() > m {
                        ss.remove(0);
                        ys.remove(0);
                    }
                }
                x.copy_from_slice(&xn);
                g.copy_from_slice(&gn);
                fx = fnew;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            break; // no decrease possible at machine precision
        }
    }
    let gnorm = dot(&g, &g).sqrt();
    eprintln!("L-BFGS: {iters} iterations");
    (x, fx, gnorm)
}
