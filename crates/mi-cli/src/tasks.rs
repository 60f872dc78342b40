//! `infomax tasks`: the ground-truth tasks (`mi_estimators::tasks`) — list them with their exact
//! MI, or sample one into .npy files so any estimator can be scored against the truth.
use mi_estimators::tasks::{all, bench_suite, find, suite, Task};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: TasksCommand,
}

#[derive(clap::Subcommand)]
pub enum TasksCommand {
    /// List the tasks: id, dimensions of X and Y, exact I(X; Y).
    List {
        /// bench (the 40-task estimator benchmark) | reproduce (the 15 tasks of `reproduce
        /// estimators`) | all
        #[arg(long, default_value = "bench")]
        suite: String,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Sample a task into DIR/x.npy, DIR/y.npy and DIR/task.json (the truth and the settings).
    Sample {
        /// A task id from `infomax tasks list`.
        task: String,
        /// Rows to draw.
        #[arg(long, default_value_t = 5_000)]
        n: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Directory to write (created if missing; existing files of the same names are replaced
        /// atomically).
        #[arg(long)]
        out: PathBuf,
    },
}

/// What `tasks list --json` prints per task and `tasks sample` writes to task.json.
#[derive(serde::Serialize)]
struct TaskInfo<'a> {
    id: String,
    dx: usize,
    dy: usize,
    true_mi_nats: f64,
    true_mi_bits: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    definition: &'a Task,
}

fn info(t: &Task) -> TaskInfo<'_> {
    let mi = t.true_mi_nats();
    TaskInfo { id: t.id(), dx: t.dx(), dy: t.dy(), true_mi_nats: mi, true_mi_bits: mi / std::f64::consts::LN_2, n: None, seed: None, definition: t }
}

fn listed(which: &str) -> anyhow::Result<Vec<Task>> {
    match which {
        "bench" => Ok(bench_suite()),
        "reproduce" => Ok(suite()),
        "all" => Ok(all()),
        other => Err(crate::input_error(format!("unknown --suite '{other}': expected bench, reproduce or all"))),
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        TasksCommand::List { suite, json } => {
            let tasks = listed(&suite)?;
            if !json {
                println!("{:<72} {:>4} {:>4} {:>12}", "task", "dx", "dy", "I (nats)");
            }
            for t in &tasks {
                if json {
                    println!("{}", serde_json::to_string(&info(t))?);
                } else {
                    println!("{:<72} {:>4} {:>4} {:>12.6}", t.id(), t.dx(), t.dy(), t.true_mi_nats());
                }
            }
            Ok(())
        }
        TasksCommand::Sample { task, n, seed, out } => sample(&task, n, seed, &out),
    }
}

fn sample(id: &str, n: usize, seed: u64, out: &std::path::Path) -> anyhow::Result<()> {
    let task = find(id).map_err(crate::input_error)?;
    if n == 0 {
        return Err(crate::input_error("--n 0: ask for at least one row"));
    }
    std::fs::create_dir_all(out).map_err(|e| crate::input_error(format!("--out {}: cannot create the directory: {e}", out.display())))?;
    let (x, y) = task.sample(n, seed);
    mi_data::array_file::write_npy_f64(&out.join("x.npy"), &x)?;
    mi_data::array_file::write_npy_f64(&out.join("y.npy"), &y)?;
    let meta = TaskInfo { n: Some(n), seed: Some(seed), ..info(&task) };
    mi_data::atomic::write_atomic(&out.join("task.json"), serde_json::to_string_pretty(&meta)?.as_bytes())?;
    println!("{}: {n} rows (seed {seed}) → {}/x.npy [{n}×{}], y.npy [{n}×{}]; I = {:.6} nats", task.id(), out.display(), task.dx(), task.dy(), task.true_mi_nats());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_writes_npy_files_and_the_truth() {
        let dir = std::env::temp_dir().join(format!("infomax-tasks-{}", std::process::id()));
        sample("student-2x2-df1", 300, 4, &dir).unwrap();
        let x = mi_data::array_file::read_matrix(&dir.join("x.npy")).unwrap();
        let y = mi_data::array_file::read_matrix(&dir.join("y.npy")).unwrap();
        let (want_x, want_y) = find("student-2x2-df1").unwrap().sample(300, 4);
        assert_eq!((x, y), (want_x, want_y));
        let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("task.json")).unwrap()).unwrap();
        assert_eq!(meta["n"], 300);
        assert!((meta["true_mi_nats"].as_f64().unwrap() - find("student-2x2-df1").unwrap().true_mi_nats()).abs() < 1e-15);
        let e = sample("no-such-task", 10, 0, &dir).unwrap_err();
        assert!(e.is::<crate::InputError>() && e.to_string().contains("expected one of"), "{e}");
        assert!(sample("student-2x2-df1", 0, 0, &dir).unwrap_err().is::<crate::InputError>());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lists_have_the_documented_sizes() {
        assert_eq!(listed("bench").unwrap().len(), 40);
        assert_eq!(listed("reproduce").unwrap().len(), 15);
        let all = listed("all").unwrap();
        let ids: std::collections::BTreeSet<String> = all.iter().map(Task::id).collect();
        assert_eq!(ids.len(), all.len(), "no task listed twice");
        assert!(listed("nope").unwrap_err().is::<crate::InputError>());
    }
}
