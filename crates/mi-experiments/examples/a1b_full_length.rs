//! One A1b seed on the paper's full schedule (4,000 iterations, 10:1, Adam 1e-3 / 1e-5, probe
//! every 400), written where `reproduce a1` finds it and reports it beside its own seeds:
//! `cargo run --release -p mi-experiments --example a1b_full_length -- results/a1 [k]`
//! (k: which of the A1 seeds, default 0 — the same seed as the profile's first A1b run, so its
//! first iterations repeat that run's). About an hour on two CPU cores.
use mi_experiments::a1::adversarial::{self, AdversarialFile, AdversarialSettings};
use mi_experiments::a1::{adversarial_seed, ADVERSARIAL_FULL_LENGTH};
use mi_experiments::infomax::{LoopSettings, PairViews};
use tch::Device;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    mi_torch::retain_freed_memory(); // as the infomax binary does
    let a: Vec<String> = std::env::args().collect();
    let Some(dir) = a.get(1).map(std::path::PathBuf::from) else {
        return Err("usage: a1b_full_length <A1 results folder> [seed index]".into());
    };
    let k: usize = a.get(2).map(|s| s.parse()).transpose()?.unwrap_or(0);
    let config: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("config.json"))?)?;
    let base_seed = config["settings"]["seed"].as_u64().ok_or("config.json has no settings.seed")?;
    let probe = LoopSettings::paper(); // the probe's settings (C, tol, epochs) are the same in every profile
    let mnist = mi_data::mnist::default_dir(None);
    let data = PairViews::from_mnist(&mi_data::mnist::ensure_and_load(&mnist, &mut |m| eprintln!("{m}"))?, Device::Cpu)?;
    let settings = AdversarialSettings { seeds: 1, ..AdversarialSettings::paper() };
    let run = adversarial::run(&data, &settings, &probe, adversarial_seed(base_seed, k), false)?;
    let path = dir.join(ADVERSARIAL_FULL_LENGTH);
    let tmp = path.with_extension("json.tmp");
    // the runs as `reproduce a1` reads them, plus where and with what they were made
    let mut json = serde_json::to_value(AdversarialFile::Runs { runs: vec![run] })?;
    json["provenance"] = serde_json::to_value(mi_train::results::Provenance::collect("Cpu"))?;
    std::fs::write(&tmp, serde_json::to_string_pretty(&json)?)?;
    std::fs::rename(&tmp, &path)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
