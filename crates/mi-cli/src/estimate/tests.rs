use super::*;
use mi_estimators::tasks::Task;

struct Dir(PathBuf);
impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("infomax-estimate-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn args(x: PathBuf, y: PathBuf, estimator: &str, k: usize) -> Args {
    Args { x: Some(x), y: Some(y), k, steps: 400, batch: 64, ..Args::defaults(estimator) }
}

fn is_input_error(e: &anyhow::Error) -> bool {
    e.is::<crate::InputError>()
}

#[test]
fn estimates_a_bivariate_gaussian() {
    let d = Dir::new("ok");
    let (x, y) = Task::bivariate_gaussian(0.75).unwrap().sample(5_000, 1);
    let (px, py) = (d.0.join("a.npy"), d.0.join("b.npy"));
    mi_data::array_file::write_npy_f64(&px, &x).unwrap();
    mi_data::array_file::write_npy_f64(&py, &y).unwrap();
    let r = estimate(&args(px.clone(), py.clone(), "ksg", 3)).unwrap();
    assert_eq!((r.n, r.dx, r.dy), (5_000, 1, 1));
    assert!((r.mi_nats - 0.4133).abs() < 0.03, "{}", r.mi_nats);
    let g = estimate(&args(px.clone(), py.clone(), "gaussian", 3)).unwrap();
    assert!((g.mi_nats - 0.4133).abs() < 0.03, "{}", g.mi_nats);
    let json = serde_json::to_value(&r).unwrap();
    for key in ["estimator", "mi_nats", "n", "dx", "dy"] {
        assert!(json.get(key).is_some(), "{key} missing");
    }
}

#[test]
fn copula_bits_and_the_permutation_test() {
    let d = Dir::new("copula");
    // cubing X is a bijection of its margin: MI unchanged, and the copula estimate equals the
    // plain one on the untransformed data exactly (the same ranks)
    let (x, y) = Task::bivariate_gaussian(0.75).unwrap().sample(2_000, 3);
    let (px, pxc, py) = (d.0.join("x.npy"), d.0.join("x3.npy"), d.0.join("y.npy"));
    mi_data::array_file::write_npy_f64(&px, &x).unwrap();
    mi_data::array_file::write_npy_f64(&pxc, &x.mapv(|v| v * v * v)).unwrap();
    mi_data::array_file::write_npy_f64(&py, &y).unwrap();
    let mut a = args(px.clone(), py.clone(), "gaussian", 3);
    a.copula = true;
    let plain_scores = estimate(&a).unwrap();
    a.x = Some(pxc.clone());
    let cubed = estimate(&a).unwrap();
    assert!(cubed.copula && (cubed.mi_nats - plain_scores.mi_nats).abs() < 1e-12, "{} {}", cubed.mi_nats, plain_scores.mi_nats);
    assert!((cubed.mi_nats - 0.4133).abs() < 0.05, "{}", cubed.mi_nats);
    assert!((cubed.mi_bits - cubed.mi_nats / std::f64::consts::LN_2).abs() < 1e-12);
    // without the copula, the Gaussian estimator is misled by the cube
    a.copula = false;
    assert!(estimate(&a).unwrap().mi_nats < cubed.mi_nats - 0.05);
    // dependent data: the smallest p-value 19 shuffles allow; independent data: a large one
    let mut t = args(px.clone(), py.clone(), "ksg", 3);
    t.permutations = 19;
    let dep = estimate(&t).unwrap();
    let p = dep.permutation.clone().unwrap();
    assert_eq!((p.permutations, p.p_value), (19, 0.05));
    assert!((p.null_corrected_nats - (dep.mi_nats - p.null_mean_nats)).abs() < 1e-12 && p.null_mean_nats.abs() < 0.05);
    let json = serde_json::to_value(&dep).unwrap();
    for key in ["mi_bits", "copula", "permutation"] {
        assert!(json.get(key).is_some(), "{key} missing");
    }
    let (_, other) = Task::bivariate_gaussian(0.75).unwrap().sample(2_000, 99);
    let pz = d.0.join("z.npy");
    mi_data::array_file::write_npy_f64(&pz, &other).unwrap();
    t.y = Some(pz);
    assert!(estimate(&t).unwrap().permutation.unwrap().p_value > 0.05);
    // a permutation test of a neural estimator is refused with what to do instead
    let mut n = args(px, py, "infonce", 3);
    n.permutations = 5;
    let e = estimate(&n).unwrap_err();
    assert!(is_input_error(&e) && e.to_string().contains("ksg"), "{e}");
}

#[test]
fn auto_reports_its_components_and_refuses_what_it_cannot_do() {
    let d = Dir::new("auto");
    let task = mi_estimators::tasks::find("student-2x2-df1").unwrap();
    let (x, y) = task.sample(2_000, 5);
    let (px, py) = (d.0.join("x.npy"), d.0.join("y.npy"));
    mi_data::array_file::write_npy_f64(&px, &x).unwrap();
    mi_data::array_file::write_npy_f64(&py, &y).unwrap();
    let mut a = args(px.clone(), py.clone(), "auto", 3);
    let r = estimate(&a).unwrap();
    let auto = r.auto.clone().unwrap();
    assert_eq!(auto.components.len(), 2);
    assert_eq!(auto.components.iter().find(|c| c.estimator == auto.chosen).unwrap().null_corrected_nats, r.mi_nats);
    assert!(r.copula && (r.mi_nats - task.true_mi_nats()).abs() < 0.1, "{r:?}");
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["auto"]["chosen"].is_string() && json["auto"]["components"][1]["null_mean_nats"].is_number());
    a.permutations = 3;
    assert!(estimate(&a).unwrap().auto.is_some());
    a.ci = Some(0.9);
    let e = estimate(&a).unwrap_err();
    assert!(is_input_error(&e) && e.to_string().contains("--ci"), "{e}");
    a.ci = None;
    a.z = Some(px);
    assert!(is_input_error(&estimate(&a).unwrap_err()));
}

#[test]
fn confidence_interval() {
    let d = Dir::new("ci");
    let (x, y) = Task::bivariate_gaussian(0.75).unwrap().sample(4_000, 5);
    let (px, py) = (d.0.join("x.npy"), d.0.join("y.npy"));
    mi_data::array_file::write_npy_f64(&px, &x).unwrap();
    mi_data::array_file::write_npy_f64(&py, &y).unwrap();
    let mut a = args(px.clone(), py.clone(), "ksg", 3);
    let plain = estimate(&a).unwrap();
    a.ci = Some(0.95);
    a.permutations = 9;
    let r = estimate(&a).unwrap();
    let i = r.interval.clone().unwrap();
    // the same estimate as without --ci, inside its interval, which holds the truth here
    assert_eq!(r.mi_nats, plain.mi_nats);
    assert!(i.lower_nats < r.mi_nats && r.mi_nats < i.upper_nats && i.lower_nats < 0.4133 && 0.4133 < i.upper_nats, "{i:?}");
    assert!(r.permutation.is_some() && serde_json::to_value(&r).unwrap()["interval"]["level"] == 0.95);
    for (est, level, z) in [("ksg", 1.5, false), ("ksg", 0.0, false), ("infonce", 0.9, false), ("ksg", 1.5, true)] {
        let mut b = args(px.clone(), py.clone(), est, 3);
        b.ci = Some(level);
        b.z = z.then(|| py.clone());
        let e = estimate(&b).unwrap_err();
        assert!(is_input_error(&e) && e.to_string().contains("--ci"), "{est} {level} {z}: {e}");
    }
}

#[test]
fn conditional_mi_with_z() {
    let d = Dir::new("cmi");
    // X → Z → Y: I(X; Y) > 0 but I(X; Y | Z) ≈ 0
    let (x, z) = Task::bivariate_gaussian(0.8).unwrap().sample(3_000, 1);
    let (noise, _) = Task::bivariate_gaussian(0.5).unwrap().sample(3_000, 2);
    let y = &z + &noise;
    let (px, py, pz) = (d.0.join("x.npy"), d.0.join("y.npy"), d.0.join("z.npy"));
    for (p, a) in [(&px, &x), (&py, &y), (&pz, &z)] {
        mi_data::array_file::write_npy_f64(p, a).unwrap();
    }
    // --ci with --z: the halves split X, Y and Z together; the interval holds its own estimate,
    // and (X → Z → Y) covers 0
    let mut c = args(px.clone(), py.clone(), "ksg", 3);
    c.z = Some(pz.clone());
    c.ci = Some(0.95);
    let r = estimate(&c).unwrap();
    let i = r.interval.clone().unwrap();
    assert!(i.lower_nats <= r.mi_nats && r.mi_nats <= i.upper_nats && i.lower_nats < 0.0 && 0.0 < i.upper_nats, "{i:?}");
    assert_eq!(r.dz, Some(1));
    let mut a = args(px.clone(), py.clone(), "ksg", 3);
    let plain = estimate(&a).unwrap();
    a.z = Some(pz.clone());
    let cond = estimate(&a).unwrap();
    assert!(plain.mi_nats > 0.15 && cond.mi_nats.abs() < 0.03 && cond.dz == Some(1), "{} {}", plain.mi_nats, cond.mi_nats);
    assert!(serde_json::to_value(&cond).unwrap().get("dz").is_some());
    // what --z cannot be combined with, and a Z of another length
    for (est, perms) in [("gaussian", 0), ("ksg2", 0), ("ksg", 9)] {
        let mut b = args(px.clone(), py.clone(), est, 3);
        (b.z, b.permutations) = (Some(pz.clone()), perms);
        let e = estimate(&b).unwrap_err();
        assert!(is_input_error(&e), "{est} {perms}: {e}");
    }
    let short = d.0.join("short.npy");
    mi_data::array_file::write_npy_f64(&short, &z.slice(ndarray::s![..100, ..]).to_owned()).unwrap();
    a.z = Some(short);
    let e = estimate(&a).unwrap_err();
    assert!(is_input_error(&e) && e.to_string().contains("Z has 100"), "{e}");
}

#[test]
fn neural_estimators_report_their_cap_and_steps() {
    let d = Dir::new("neural");
    let (x, y) = Task::bivariate_gaussian(0.75).unwrap().sample(3_000, 2);
    let (px, py) = (d.0.join("a.npy"), d.0.join("b.npy"));
    mi_data::array_file::write_npy_f64(&px, &x).unwrap();
    mi_data::array_file::write_npy_f64(&py, &y).unwrap();
    let r = estimate(&args(px.clone(), py.clone(), "infonce", 3)).unwrap();
    assert!((r.mi_nats - 0.4133).abs() < 0.1, "{}", r.mi_nats);
    assert_eq!(r.cap_nats, Some(64f64.ln()));
    assert!(r.steps.is_some_and(|s| (1..=400).contains(&s)));
    let json = serde_json::to_value(&r).unwrap();
    for key in ["estimator", "mi_nats", "n", "dx", "dy", "cap_nats", "steps", "neural_runs", "seed_range_nats"] {
        assert!(json.get(key).is_some(), "{key} missing");
    }
    // three critics by default (seeds 0, 1, 2); the reported value is their median
    let runs = r.neural_runs.clone().unwrap();
    assert_eq!(runs.iter().map(|r| r.seed).collect::<Vec<_>>(), vec![0, 1, 2]);
    let mut v: Vec<f64> = runs.iter().map(|r| r.mi_nats).collect();
    v.sort_by(f64::total_cmp);
    assert_eq!(r.mi_nats, v[1]);
    assert_eq!(r.seed_range_nats, Some((v[0], v[2])));
    assert!(runs.iter().all(|r| r.held_out_standard_error_nats > 0.0 && r.held_out_standard_error_nats < 0.1), "{runs:?}");
    let mut ksg_seeds = args(px.clone(), py.clone(), "ksg", 3);
    ksg_seeds.seeds = Some(3);
    assert!(is_input_error(&estimate(&ksg_seeds).unwrap_err()));
    let mut concat = args(px.clone(), py.clone(), "js", 3);
    concat.critic = "concat".into();
    concat.steps = 100;
    concat.seeds = Some(1);
    let c = estimate(&concat).unwrap();
    assert_eq!(c.cap_kind, Some("log_held_out_samples"));
    assert!(c.mi_nats.is_finite());
    let mut bad = args(px.clone(), py.clone(), "nwj", 3);
    bad.critic = "bilinear".into();
    assert!(is_input_error(&estimate(&bad).unwrap_err()));
    let mut big = args(px, py, "dv", 3);
    big.batch = 5_000;
    let e = estimate(&big).unwrap_err();
    assert!(is_input_error(&e) && e.to_string().contains("--batch"), "{e}");
}

#[test]
fn bad_input_is_an_input_error() {
    let d = Dir::new("bad");
    let (x, y) = Task::bivariate_gaussian(0.5).unwrap().sample(10, 1);
    let (px, py) = (d.0.join("x.npy"), d.0.join("y.npy"));
    mi_data::array_file::write_npy_f64(&px, &x).unwrap();
    mi_data::array_file::write_npy_f64(&py, &y.slice(ndarray::s![..9, ..]).to_owned()).unwrap();
    let short = estimate(&args(px.clone(), py.clone(), "ksg", 3)).unwrap_err();
    assert!(is_input_error(&short) && short.to_string().contains("rows"), "{short}");
    let pyy = d.0.join("y2.npy");
    mi_data::array_file::write_npy_f64(&pyy, &y).unwrap();
    // 10 rows cannot hold a held-out batch of 64 for the neural estimators
    for (est, k) in [("ksg", 10), ("ksg", 0), ("nope", 3), ("infonce", 3), ("mine", 3)] {
        let e = estimate(&args(px.clone(), pyy.clone(), est, k)).unwrap_err();
        assert!(is_input_error(&e), "{est} {k}: {e}");
    }
    let csv = d.0.join("t.csv");
    std::fs::write(&csv, "a,b\n1,x\n").unwrap();
    assert!(is_input_error(&estimate(&args(csv.clone(), pyy.clone(), "ksg", 3)).unwrap_err()));
    let nan = d.0.join("n.csv");
    std::fs::write(&nan, "1\nnan\n3\n").unwrap();
    assert!(is_input_error(&estimate(&args(nan, pyy.clone(), "ksg", 1)).unwrap_err()));
    let constant = d.0.join("c.csv");
    std::fs::write(&constant, (0..10).map(|i| format!("{i},7\n")).collect::<String>()).unwrap();
    let e = estimate(&args(constant, pyy.clone(), "ksg", 3)).unwrap_err();
    assert!(is_input_error(&e) && e.to_string().contains("column 1 is constant"), "{e}");
    let empty = d.0.join("e.csv");
    std::fs::write(&empty, "").unwrap();
    assert!(is_input_error(&estimate(&args(empty, pyy.clone(), "ksg", 1)).unwrap_err()));
    assert!(is_input_error(&estimate(&args(d.0.join("missing.npy"), pyy, "ksg", 1)).unwrap_err()));
}

#[test]
fn columns_of_one_table_and_categorical_estimators() {
    let d = Dir::new("table");
    let (x, y) = Task::bivariate_gaussian(0.75).unwrap().sample(1_000, 2);
    let csv = d.0.join("t.csv");
    let mut text = String::from("noise,x,y\n");
    for i in 0..x.nrows() {
        text += &format!("{},{},{}\n", (i % 7) as f64, x[[i, 0]], y[[i, 0]]);
    }
    std::fs::write(&csv, text).unwrap();
    let (px, py) = (d.0.join("x.npy"), d.0.join("y.npy"));
    mi_data::array_file::write_npy_f64(&px, &x).unwrap();
    mi_data::array_file::write_npy_f64(&py, &y).unwrap();
    let from_files = estimate(&args(px, py, "ksg", 3)).unwrap().mi_nats;
    let table = |spec: &str, estimator: &str| Args { x: None, y: None, data: Some(csv.clone()), columns: Some(spec.into()), ..Args::defaults(estimator) };
    // by name and by index, the same numbers as two files (the CSV holds the values exactly)
    let by_name = estimate(&table("x;y", "ksg")).unwrap().mi_nats;
    assert!((by_name - from_files).abs() < 1e-12 && (estimate(&table("1;2", "ksg")).unwrap().mi_nats - by_name).abs() < 1e-12);
    // a third group is Z: I(X; Y | noise) ≈ I(X; Y) here
    let cmi = estimate(&table("x;y;noise", "ksg")).unwrap();
    assert_eq!(cmi.dz, Some(1));
    assert!((cmi.mi_nats - by_name).abs() < 0.08, "{} vs {by_name}", cmi.mi_nats);
    assert!(is_input_error(&estimate(&table("x;y;noise", "gaussian")).unwrap_err()), "Z is for ksg only");
    assert!(estimate(&table("x;nope", "ksg")).unwrap_err().to_string().contains("noise, x, y"));
    // categorical: noise (7 codes) against a code derived from it, and against itself shifted
    let cat = d.0.join("c.csv");
    let mut text = String::new();
    for i in 0..700 {
        text += &format!("{},{},{}\n", i % 7, (i % 7) / 2, i % 5);
    }
    std::fs::write(&cat, text).unwrap();
    let cats = |spec: &str, estimator: &str| Args { x: None, y: None, data: Some(cat.clone()), columns: Some(spec.into()), ..Args::defaults(estimator) };
    // Y = ⌊X / 2⌋ takes 4 values with probabilities 2/7, 2/7, 2/7, 1/7: I = H(Y)
    let h_y = -(3.0 * (2.0f64 / 7.0) * (2.0f64 / 7.0).ln() + (1.0 / 7.0) * (1.0f64 / 7.0).ln());
    assert!((estimate(&cats("0;1", "plugin")).unwrap().mi_nats - h_y).abs() < 1e-12);
    let mm = estimate(&cats("0;1", "miller-madow")).unwrap().mi_nats;
    assert!(mm > 0.0 && (mm - h_y).abs() < 0.01, "{mm}");
    // i mod 7 and i mod 5 are independent over 700 rows (every pair 20 times): plug-in is exactly 0
    assert!(estimate(&cats("0;2", "plugin")).unwrap().mi_nats.abs() < 1e-12);
    let mut p = cats("0;1", "plugin");
    p.permutations = 19;
    assert_eq!(estimate(&p).unwrap().permutation.unwrap().p_value, 0.05);
    let e = estimate(&table("x;y", "plugin")).unwrap_err();
    assert!(is_input_error(&e) && e.to_string().contains("integer codes"), "{e}");
    let mut c = cats("0;1", "plugin");
    c.copula = true;
    assert!(is_input_error(&estimate(&c).unwrap_err()));
}

#[test]
fn discrete_sides_use_the_mixed_estimators() {
    let d = Dir::new("mixed");
    // X ∈ {0, 1, 2}, Y = X + U(0, 1): disjoint supports, I = ln 3
    let n = 1_500;
    let x = Array2::from_shape_fn((n, 1), |(i, _)| (i % 3) as f64);
    let y = Array2::from_shape_fn((n, 1), |(i, _)| (i % 3) as f64 + ((i * 7919) % 1000) as f64 / 1000.0);
    let (px, py) = (d.0.join("x.npy"), d.0.join("y.npy"));
    mi_data::array_file::write_npy_f64(&px, &x).unwrap();
    mi_data::array_file::write_npy_f64(&py, &y).unwrap();
    let with = |side: &str, a: &PathBuf, b: &PathBuf| Args { discrete: Some(side.into()), ..args(a.clone(), b.clone(), "ksg", 3) };
    for (side, a, b) in [("x", &px, &py), ("y", &py, &px), ("both", &px, &py)] {
        let r = estimate(&with(side, a, b)).unwrap();
        assert!((r.mi_nats - 3f64.ln()).abs() < 0.05, "--discrete {side}: {}", r.mi_nats);
        assert_eq!((r.discrete.as_deref(), r.jitter), (Some(side), None), "the JSON says which side, and no jitter was added");
    }
    // the categorical side must hold integer codes; --discrete is for ksg only
    let e = estimate(&with("x", &py, &px)).unwrap_err();
    assert!(is_input_error(&e) && e.to_string().contains("integer codes"), "{e}");
    assert!(is_input_error(&estimate(&Args { estimator: "gaussian".into(), ..with("x", &px, &py) }).unwrap_err()));
    assert!(is_input_error(&estimate(&with("z", &px, &py)).unwrap_err()));
    let mut p = with("x", &px, &py);
    p.permutations = 9;
    assert_eq!(estimate(&p).unwrap().permutation.unwrap().p_value, 0.1);
}

#[test]
fn euclidean_norm_is_an_option_of_the_knn_estimators() {
    let d = Dir::new("norm");
    let (x, y) = Task::equicorrelated(3, 0.5).unwrap().sample(2_000, 4);
    let (px, py) = (d.0.join("x.npy"), d.0.join("y.npy"));
    mi_data::array_file::write_npy_f64(&px, &x).unwrap();
    mi_data::array_file::write_npy_f64(&py, &y).unwrap();
    let max = estimate(&args(px.clone(), py.clone(), "ksg", 3)).unwrap().mi_nats;
    let euclid = estimate(&Args { norm: "euclidean".into(), ..args(px.clone(), py.clone(), "ksg", 3) }).unwrap().mi_nats;
    let truth = Task::equicorrelated(3, 0.5).unwrap().true_mi_nats();
    assert!(euclid != max && (euclid - truth).abs() < 0.06 && (max - truth).abs() < 0.06, "{max} {euclid} vs {truth}");
    let r = estimate(&Args { norm: "euclidean".into(), ..args(px.clone(), py.clone(), "ksg", 3) }).unwrap();
    assert_eq!(serde_json::to_value(&r).unwrap()["norm"], "euclidean");
    for bad in [Args { norm: "l1".into(), ..args(px.clone(), py.clone(), "ksg", 3) }, Args { norm: "euclidean".into(), ..args(px.clone(), py.clone(), "gaussian", 3) }] {
        assert!(is_input_error(&estimate(&bad).unwrap_err()));
    }
}
