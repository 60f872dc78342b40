//! The fixed lists of tasks: [`suite`] for `reproduce estimators`, [`bench_suite`] for the
//! estimator benchmark and `infomax tasks`.
use super::{Task, Transform};
use crate::error::{EstimatorError, Result};

/// Collects the tasks a list builds; its parameters are valid constants, so a task that failed
/// to build would be a bug, caught by the tests that count the lists.
fn collect(tasks: impl IntoIterator<Item = Result<Task>>) -> Vec<Task> {
    tasks.into_iter().filter_map(Result::ok).collect()
}

/// The 15 tasks of `reproduce estimators`, in a fixed order: the first [`SUITE_QUICK`] are its
/// `quick` table, the rest are the larger ones its `paper` profile adds.
pub fn suite() -> Vec<Task> {
    let g = || Task::bivariate_gaussian(0.75);
    collect([
        g(),
        g().and_then(|t| t.with_transform(Transform::Cube)),
        g().and_then(|t| t.with_transform(Transform::NormalCdf)),
        Task::bivariate_gaussian(0.95),
        Task::equicorrelated(2, 0.5),
        Task::equicorrelated(5, 0.5),
        Task::equicorrelated(5, 0.5).and_then(|t| t.with_transform(Transform::HalfCube)),
        Task::equicorrelated(5, 0.5).and_then(|t| t.with_transform(Transform::Cube)),
        Task::sparse_pairs(5, 0.8),
        Task::sparse_pairs(5, 0.8)
            .and_then(|t| t.with_x_transform(Transform::Affine { scale: 3.0, shift: 1.0 }))
            .and_then(|t| t.with_y_transform(Transform::Asinh)),
        Task::equicorrelated(25, 0.5),
        Task::staircase(20, 2.0),
        Task::staircase(20, 4.0),
        Task::staircase(20, 2.0).and_then(|t| t.with_transform(Transform::Cube)),
        Task::equicorrelated(50, 0.5),
    ])
}

/// How many of [`suite`]'s tasks the smaller (`quick`) table uses.
pub const SUITE_QUICK: usize = 12;

/// The 40-task estimator benchmark, modelled on the "Beyond Normal" suite (Czyż et al., NeurIPS
/// 2023): ten 1×1 (or 2×1) tasks (bivariate normal, uniform margins, additive uniform noise with
/// ε = 0.1 and 0.75, bimodal margins, wiggly margins, half-cube margins, Student-t with one
/// degree of freedom, plain and asinh'd, a Swiss-roll embedding), multivariate normals with dense
/// (all correlations 0.5; 2×2 to 50×50) and sparse interactions (two pairs at 0.8, 0.1 within X
/// and within Y; 2×2 to 25×25), Student-t with identity dispersion (2×2 to 5×5, 1–3 degrees of
/// freedom), and the sparse normals under normal-CDF, half-cube, spiral and CDF-then-spiral maps,
/// and Student-t under asinh. Where the definitions differ from bmi's, docs/estimator-bench.md
/// says how.
pub fn bench_suite() -> Vec<Task> {
    let g = || Task::bivariate_gaussian(0.75);
    let sparse = |m: usize| Task::sparse_pairs_within(m, 0.8, 0.1);
    let on_sparse = |t: Transform| [3, 5, 25].map(move |m| sparse(m).and_then(|s| s.with_transform(t)));
    let spiral = |t: Task| {
        let (dx, dy) = (t.dx(), t.dy());
        t.with_x_transform(Transform::Spiral { i: 0, j: 1, speed: 1.0 / dx as f64 })?
            .with_y_transform(Transform::Spiral { i: 1, j: 2, speed: 1.0 / dy as f64 })
    };
    let mut v = collect([
        g(),
        g().and_then(|t| t.with_transform(Transform::NormalCdf)),
        Task::additive_uniform(0.1),
        Task::additive_uniform(0.75),
        g().and_then(|t| t.with_transform(Transform::Bimodal)),
        g().and_then(|t| t.with_x_transform(Transform::WigglyA)?.with_y_transform(Transform::WigglyB)),
        g().and_then(|t| t.with_transform(Transform::HalfCube)),
        Task::student_t(1, 1.0),
        Task::student_t(1, 1.0).and_then(|t| t.with_transform(Transform::Asinh)),
        g().and_then(|t| t.with_transform(Transform::NormalCdf)?.with_x_transform(Transform::SwissRoll)),
    ]);
    v.extend(collect([2, 3, 5, 25, 50].map(|m| Task::equicorrelated(m, 0.5))));
    v.extend(collect([2, 3, 5, 25].map(sparse)));
    v.extend(collect([(2, 1.0), (2, 2.0), (3, 2.0), (3, 3.0), (5, 2.0), (5, 3.0)].map(|(m, df)| Task::student_t(m, df))));
    v.extend(collect(on_sparse(Transform::NormalCdf)));
    v.extend(collect(on_sparse(Transform::HalfCube)));
    v.extend(collect([3, 5, 25].map(|m| sparse(m).and_then(spiral))));
    v.extend(collect([3, 5, 25].map(|m| sparse(m).and_then(|t| t.with_transform(Transform::NormalCdf)).and_then(spiral))));
    v.extend(collect([(2, 1.0), (3, 2.0), (5, 2.0)].map(|(m, df)| Task::student_t(m, df).and_then(|t| t.with_transform(Transform::Asinh)))));
    v
}

/// Every known task once: [`suite`], then the tasks of [`bench_suite`] not already in it.
pub fn all() -> Vec<Task> {
    let mut all = suite();
    let extra: Vec<Task> = bench_suite().into_iter().filter(|t| !all.contains(t)).collect();
    all.extend(extra);
    all
}

/// The task with this id from [`all`]; an error listing the ids otherwise.
pub fn find(id: &str) -> Result<Task> {
    let all = all();
    if let Some(t) = all.iter().find(|t| t.id() == id) {
        return Ok(t.clone());
    }
    let ids: Vec<String> = all.iter().map(Task::id).collect();
    Err(EstimatorError::InvalidParameter {
        name: "task",
        value: id.to_string(),
        reason: format!("not a known task; expected one of {} (`infomax tasks list` shows them with their MI)", ids.join(", ")),
    })
}
