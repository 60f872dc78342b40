//! The public API: validation, errors instead of panics, scalers, k-NN, metrics, determinism.
use mi_probe::{accuracy, per_class_accuracy, synthetic, ConfusionMatrix, CosineKnn, LogisticRegression, MinMaxScaler, ProbeError, Scaling, StandardScaler};
use ndarray::{array, s, Array1, Array2};

fn data() -> (Array2<f64>, Array1<i64>) {
    synthetic::blobs(400, 6, 4, 11, 0, -1)
}

#[test]
fn config_is_validated_once() {
    let b = LogisticRegression::builder;
    assert!(matches!(b().c(0.0).build(), Err(ProbeError::InvalidConfig { name: "C", .. })));
    assert!(matches!(b().c(-1.0).build(), Err(ProbeError::InvalidConfig { name: "C", .. })));
    assert!(matches!(b().c(f64::NAN).build(), Err(ProbeError::InvalidConfig { name: "C", .. })));
    assert!(matches!(b().tol(0.0).build(), Err(ProbeError::InvalidConfig { name: "tol", .. })));
    assert!(matches!(b().tol(f64::INFINITY).build(), Err(ProbeError::InvalidConfig { name: "tol", .. })));
    assert!(matches!(b().max_epochs(0).build(), Err(ProbeError::InvalidConfig { name: "max_epochs", .. })));
    let p = b().c(2.0).tol(0.01).max_epochs(7).seed(9).build().unwrap();
    assert_eq!((p.c(), p.tol(), p.max_epochs(), p.seed()), (2.0, 0.01, 7, 9));
    assert_eq!(LogisticRegression::default(), b().build().unwrap());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let (x, y) = data();
    let p = LogisticRegression::default();
    // row mismatch
    assert!(matches!(p.fit(x.view(), y.slice(s![..399])), Err(ProbeError::RowMismatch { feature_rows: 400, label_rows: 399, .. })));
    // NaN and inf
    let mut bad = x.clone();
    bad[[3, 2]] = f64::NAN;
    assert!(matches!(p.fit(bad.view(), y.view()), Err(ProbeError::NonFinite { row: 3, col: 2, .. })));
    bad[[3, 2]] = f64::NEG_INFINITY;
    assert!(matches!(p.fit(bad.view(), y.view()), Err(ProbeError::NonFinite { row: 3, col: 2, .. })));
    // one class
    let one = Array1::from_elem(400, 2i64);
    assert!(matches!(p.fit(x.view(), one.view()), Err(ProbeError::TooFewClasses { found: 1 })));
    // negative label
    let mut neg = y.clone();
    neg[5] = -1;
    assert!(matches!(p.fit(x.view(), neg.view()), Err(ProbeError::NegativeLabel { row: 5, label: -1, .. })));
    // empty
    let empty = Array2::<f64>::zeros((0, 6));
    assert!(matches!(p.fit(empty.view(), Array1::<i64>::zeros(0).view()), Err(ProbeError::Empty { .. })));
    // feature-count mismatch at prediction and scaling
    let model = p.fit(x.view(), y.view()).unwrap();
    let narrow = x.slice(s![.., ..5]).to_owned();
    assert!(matches!(model.predict(narrow.view()), Err(ProbeError::FeatureMismatch { expected: 6, found: 5, .. })));
    assert!(matches!(model.score(x.view(), y.slice(s![..10])), Err(ProbeError::RowMismatch { .. })));
    let scaler = MinMaxScaler::fit(x.view()).unwrap();
    assert!(matches!(scaler.transform(narrow.view()), Err(ProbeError::FeatureMismatch { .. })));
    assert!(matches!(Scaling::MinMax.fit_transform_pair(x.view(), narrow.view()), Err(ProbeError::FeatureMismatch { .. })));
    assert!(matches!(Scaling::None.fit_transform_pair(x.view(), narrow.view()), Err(ProbeError::FeatureMismatch { .. })));
    assert!("maxmin".parse::<Scaling>().is_err());
    // features whose squared norm overflows: an error (scikit-learn would silently use step 0)
    let huge = x.mapv(|v| v * 1e300);
    assert!(matches!(p.fit(huge.view(), y.view()), Err(ProbeError::FeaturesTooLarge { .. })));
}

#[test]
fn same_seed_same_result_other_seed_other_path() {
    let (x, y) = data();
    let fit = |seed| LogisticRegression::builder().tol(1e-4).seed(seed).build().unwrap().fit(x.view(), y.view()).unwrap();
    let (a, b, c) = (fit(5), fit(5), fit(6));
    assert_eq!(a, b);
    assert_ne!(a.coef(), c.coef());
    // with more threads the result does not change (prediction is chunked in fixed blocks)
    let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    let big = synthetic::blobs(5000, 6, 4, 2, 0, -1).0;
    let p1 = a.decision_function(big.view()).unwrap();
    let p3 = pool.install(|| a.decision_function(big.view()).unwrap());
    assert_eq!(p1, p3);
}

#[test]
fn f32_features_give_nearly_the_f64_fit() {
    let (x, y) = data();
    let x32 = x.mapv(|v| v as f32);
    let x64r = x32.mapv(f64::from); // the same values, in f64
    let p = LogisticRegression::builder().tol(1e-3).build().unwrap();
    let a = p.fit(x32.view(), y.view()).unwrap();
    let b = p.fit(x64r.view(), y.view()).unwrap();
    assert_eq!(a, b, "f32 storage, f64 arithmetic: identical to the f64 copy");
}

#[test]
fn non_standard_layout_is_handled() {
    let (x, y) = data();
    let xt = x.t().to_owned(); // d × n
    let fortran = xt.t(); // n × d view, column-major
    let p = LogisticRegression::builder().tol(1e-3).build().unwrap();
    assert_eq!(p.fit(fortran, y.view()).unwrap(), p.fit(x.view(), y.view()).unwrap());
}

#[test]
fn labels_need_not_be_contiguous() {
    let (x, y) = data();
    let sparse_labels = y.mapv(|v| v * 10 + 3); // {3, 13, 23, 33}
    let p = LogisticRegression::builder().tol(1e-3).build().unwrap();
    let m1 = p.fit(x.view(), y.view()).unwrap();
    let m2 = p.fit(x.view(), sparse_labels.view()).unwrap();
    assert_eq!(m2.classes(), &[3, 13, 23, 33]);
    assert_eq!(m1.coef(), m2.coef());
    assert_eq!(m2.predict(x.view()).unwrap(), m1.predict(x.view()).unwrap().mapv(|v| v * 10 + 3));
    let acc = m1.score(x.view(), y.view()).unwrap();
    assert!(acc > 0.9, "{acc}");
    let proba = m1.predict_proba(x.view()).unwrap();
    for r in proba.outer_iter() {
        assert!((r.sum() - 1.0).abs() < 1e-12);
    }
}

/// scikit-learn ≥ 1.0 treats a range below 10·ε of the input's dtype as zero: an f32 feature that
/// varies by 1e-8 (an encoder's rounding on an always-black pixel) stays constant, an f64 one is
/// stretched to [0, 1].
#[test]
fn a_range_below_the_feature_types_epsilon_is_constant() {
    let x32: Array2<f32> = array![[0.5, 1e-8], [0.0, 0.0], [1.0, 2e-8]];
    let t = MinMaxScaler::fit(x32.view()).unwrap().transform(x32.view()).unwrap();
    assert_eq!(t.column(1).to_vec(), [1e-8f32, 0.0, 2e-8], "f32: scale 1, shifted by the minimum 0");
    let x64 = x32.mapv(f64::from);
    let t = MinMaxScaler::fit(x64.view()).unwrap().transform(x64.view()).unwrap();
    assert!((t[[2, 1]] - 1.0).abs() < 1e-12 && (t[[0, 1]] - 0.5).abs() < 1e-6, "f64: {t}");
    // just above the f32 threshold (1.19e-6) the feature is scaled
    let x: Array2<f32> = array![[0.0], [2e-6]];
    assert_eq!(MinMaxScaler::fit(x.view()).unwrap().transform(x.view()).unwrap()[[1, 0]], 1.0);
}

#[test]
fn scalers_follow_their_definitions() {
    let x: Array2<f64> = array![[1.0, 5.0, 2.0], [3.0, 5.0, -2.0], [2.0, 5.0, 0.0]];
    let mm = MinMaxScaler::fit(x.view()).unwrap();
    let t = mm.transform(x.view()).unwrap();
    assert_eq!(t, array![[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.5, 0.0, 0.5]]); // constant column → 0
    let test: Array2<f64> = array![[5.0, 6.0, 4.0]];
    assert_eq!(mm.transform(test.view()).unwrap(), array![[2.0, 1.0, 1.5]]); // not clipped, like scikit-learn
    let st = StandardScaler::fit(x.view()).unwrap();
    let z = st.transform(x.view()).unwrap();
    for j in 0..3 {
        let col = z.column(j);
        assert!(col.mean().unwrap().abs() < 1e-15);
        let var = col.mapv(|v| v * v).mean().unwrap();
        assert!(if j == 1 { var == 0.0 } else { (var - 1.0).abs() < 1e-12 }, "column {j}: {var}");
    }
    assert_eq!(st.scale()[1], 1.0);
    let (a, b) = Scaling::Standard.fit_transform_pair(x.view(), test.view()).unwrap();
    assert_eq!(a, z);
    assert_eq!(b, st.transform(test.view()).unwrap());
}

#[test]
fn knn_votes_with_cosine_similarity() {
    // directions on the circle; length must not matter
    let train = array![[1.0, 0.0], [10.0, 0.5], [0.9, -0.1], [0.0, 1.0], [0.1, 3.0], [-1.0, 0.0], [-1.0, 0.1]];
    let labels = array![0i64, 0, 0, 1, 1, 2, 2];
    let knn = CosineKnn::fit(3, train.view(), labels.view()).unwrap();
    let q = array![[100.0, 1.0], [0.0, 0.01], [-5.0, 0.2]];
    assert_eq!(knn.predict(q.view()).unwrap(), array![0, 1, 2]);
    let nb = knn.neighbours(q.view()).unwrap();
    assert_eq!(nb.row(1).to_vec(), vec![3, 4, 6]);
    // tie: k = 2 with one neighbour of each class → the nearer one wins
    let knn2 = CosineKnn::fit(2, train.view(), labels.view()).unwrap();
    let q2 = array![[0.3, 1.0]]; // nearest: [0.1,3] (1) then [0,1] (1) → 1
    assert_eq!(knn2.predict(q2.view()).unwrap(), array![1]);
    let q3 = array![[1.0, 0.9]]; // nearest [10,0.5]? no: [0.1,3]/[0,1]… compute by the rule
    let nb3 = knn2.neighbours(q3.view()).unwrap();
    let want = labels[nb3[[0, 0]]];
    assert_eq!(knn2.predict(q3.view()).unwrap()[0], want, "a 1–1 tie goes to the nearest neighbour");
    // errors
    assert!(matches!(CosineKnn::fit(8, train.view(), labels.view()), Err(ProbeError::TooFewNeighbours { k: 8, n_train: 7 })));
    assert!(CosineKnn::fit(0, train.view(), labels.view()).is_err());
    assert!(matches!(knn.predict(array![[1.0, 2.0, 3.0]].view()), Err(ProbeError::FeatureMismatch { .. })));
}

#[test]
fn knn_is_accurate_and_thread_independent() {
    let (x, y) = synthetic::blobs(3000, 10, 5, 4, 0, -2);
    let knn = CosineKnn::fit(5, x.slice(s![..2000, ..]), y.slice(s![..2000])).unwrap();
    let acc = knn.score(x.slice(s![2000.., ..]), y.slice(s![2000..])).unwrap();
    assert!(acc > 0.8, "{acc}");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    let a = knn.predict(x.slice(s![2000.., ..])).unwrap();
    let b = pool.install(|| knn.predict(x.slice(s![2000.., ..])).unwrap());
    assert_eq!(a, b);
}

#[test]
fn metrics() {
    let t = array![0i64, 0, 1, 1, 2, 2];
    let p = array![0i64, 1, 1, 1, 2, 5];
    assert_eq!(accuracy(t.view(), p.view()).unwrap(), 4.0 / 6.0);
    let cm = ConfusionMatrix::new(t.view(), p.view()).unwrap();
    assert_eq!(cm.labels, vec![0, 1, 2, 5]);
    assert_eq!(cm.counts, array![[1u64, 1, 0, 0], [0, 2, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0]]);
    assert_eq!(cm.accuracy(), 4.0 / 6.0);
    let pc = per_class_accuracy(t.view(), p.view()).unwrap();
    assert_eq!(pc.iter().map(|c| (c.label, c.support, c.accuracy)).collect::<Vec<_>>(), vec![(0, 2, 0.5), (1, 2, 1.0), (2, 2, 0.5)]);
    assert!(matches!(accuracy(t.view(), p.slice(s![..3])), Err(ProbeError::LengthMismatch { .. })));
    assert!(accuracy(Array1::<i64>::zeros(0).view(), Array1::<i64>::zeros(0).view()).is_err());
}
