//! Training one encoder and measuring it.
use super::*;

/// Probe-layer features and outputs of a whole split, without gradients.
pub(super) fn forward_all(net: &SmallCnn, x: &Tensor) -> (Tensor, Tensor) {
    let _g = tch::no_grad_guard();
    let n = x.size()[0];
    let (mut ps, mut zs) = (vec![], vec![]);
    let mut start = 0;
    while start < n {
        let len = 1000.min(n - start);
        let (p, z) = net.forward_both(&x.narrow(0, start, len));
        ps.push(p);
        zs.push(z);
        start += len;
    }
    (Tensor::cat(&ps, 0), Tensor::cat(&zs, 0))
}

pub(super) fn linear_probe(train: &Array2<f32>, train_y: &Array1<i64>, test: &Array2<f32>, test_y: &Array1<i64>, s: &HyperSettings, seed: u64) -> Result<f64> {
    let scaler = MinMaxScaler::fit(train.view())?;
    let (tr, te) = (scaler.transform(train.view())?, scaler.transform(test.view())?);
    let probe = LogisticRegression::builder().c(s.probe_c).tol(s.probe_tol).max_epochs(s.probe_max_epochs).seed(seed).build()?;
    Ok(probe.fit(tr.view(), train_y.view())?.score(te.view(), test_y.view())?)
}

/// Every measurement of one encoder; angles too when its output is 2-D.
pub(super) fn evaluate(net: &SmallCnn, data: &Data, s: &HyperSettings, seed: u64) -> Result<(Metrics, Option<CirclePoints>)> {
    let (p_tr, z_tr) = forward_all(net, &data.probe_train);
    let (p_te, z_te) = forward_all(net, &data.test);
    let (_, z1) = forward_all(net, &data.test_v1);
    let (_, z2) = forward_all(net, &data.test_v2);
    let l_align = losses::align_loss_value(&z1, &z2, s.eval_alpha)?;
    let l_uniform = losses::uniform_loss_blockwise(&z_te, s.eval_t, 1024)?;
    let arr = |t: &Tensor| mi_torch::tensor_to_array2::<f32>(t);
    let (z_tr_a, z_te_a) = (arr(&z_tr)?, arr(&z_te)?);
    let linear_accuracy = linear_probe(&z_tr_a, &data.probe_labels, &z_te_a, &data.test_labels, s, seed)?;
    let probe_layer_accuracy = linear_probe(&arr(&p_tr)?, &data.probe_labels, &arr(&p_te)?, &data.test_labels, s, seed ^ 1)?;
    let knn_accuracy = CosineKnn::fit(s.knn_k, z_tr_a.view(), data.probe_labels.view())?.score(z_te_a.view(), data.test_labels.view())?;
    let circle = (z_te_a.ncols() == 2).then(|| CirclePoints {
        angles: z_te_a.outer_iter().map(|r| (r[1].atan2(r[0]) * 1e4).round() / 1e4).collect(),
        labels: data.test_labels.iter().map(|&l| l as u8).collect(),
    });
    Ok((Metrics { linear_accuracy, probe_layer_accuracy, knn_accuracy, l_align, l_uniform }, circle))
}

/// Trains (unless random) and evaluates one encoder once.
pub(super) fn run_encoder(spec: &EncoderSpec, s: &HyperSettings, data: &Data, run: usize, base_seed: u64, quiet: bool) -> Result<EncoderRecord> {
    let seed = run_seed(base_seed, &spec.name, run);
    mi_torch::seed_everything(seed);
    let vs = nn::VarStore::new(data.device);
    let cfg = SmallCnnConfig { channels: s.channels.clone(), hidden: s.hidden, ..SmallCnnConfig::mnist(spec.output_dim) };
    let net = SmallCnn::new(&vs.root().sub("encoder"), &cfg)?;
    let classifier = (spec.objective == Objective::Supervised).then(|| nn::linear(vs.root().sub("classifier"), spec.output_dim, 10, Default::default()));
    let start = Instant::now();
    let mut loss_history = vec![];
    let steps = if spec.objective == Objective::Random { 0 } else { s.steps };
    if steps > 0 {
        let mut opt = nn::Adam::default().build(&vs, s.learning_rate)?;
        let mut batches = mi_views::batch::BatchStream::new(data.train.nrows(), s.batch, seed)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0a06_3e17);
        let aug = Augment::digits();
        let mut progress = RunProgress::new(format!("{} run {run}", spec.name), steps as u64, quiet);
        let to_t = |a: &Array2<f32>| mi_torch::array2_to_tensor(&a.view(), data.device);
        for step in 0..steps {
            let idx = batches.next_batch();
            let rows = data.train.select(Axis(0), &idx);
            let loss = match spec.objective {
                Objective::Supervised => {
                    let x = to_t(&one_view(&aug, &rows, &mut rng)?);
                    let y: Vec<i64> = idx.iter().map(|&i| data.train_labels[i]).collect();
                    let y = Tensor::from_slice(&y).to_device(data.device);
                    let cls = classifier.as_ref().ok_or_else(|| ExperimentError::Invalid("supervised encoder without a classifier".into()))?;
                    net.encode(&x).apply(cls).cross_entropy_for_logits(&y)
                }
                Objective::Contrastive { .. } | Objective::AlignUniform(_) => {
                    let (a, b) = two_views(&aug, &rows, &mut rng)?;
                    // both views through the encoder in one batch
                    let z = net.encode(&Tensor::cat(&[to_t(&a), to_t(&b)], 0));
                    let n = idx.len() as i64;
                    let (zx, zy) = (z.narrow(0, 0, n), z.narrow(0, n, n));
                    match spec.objective {
                        Objective::Contrastive { tau } => losses::contrastive_loss(&zx, &zy, tau)?,
                        Objective::AlignUniform(w) => losses::align_uniform_loss(&zx, &zy, &w)?,
                        _ => unreachable!("matched above"),
                    }
                }
                Objective::Random => unreachable!("random encoders are not trained"),
            };
            opt.backward_step(&loss);
            let l = loss.double_value(&[]);
            if !l.is_finite() {
                return Err(ExperimentError::Diverged { config: spec.name.clone(), run, step, loss: l });
            }
            if step % s.log_every.max(1) == 0 || step + 1 == steps {
                loss_history.push((step, l));
            }
            progress.update(step as u64 + 1, &format!("loss {l:.4}"));
        }
        progress.finish(&format!("final loss {:.4}", loss_history.last().map(|x| x.1).unwrap_or(f64::NAN)));
    }
    let train_seconds = start.elapsed().as_secs_f64();
    let t_eval = Instant::now();
    let (metrics, circle) = evaluate(&net, data, s, seed)?;
    Ok(EncoderRecord {
        config: spec.name.clone(),
        run,
        seed,
        spec: spec.clone(),
        steps,
        train_seconds,
        eval_seconds: t_eval.elapsed().as_secs_f64(),
        loss_history,
        metrics,
        circle,
    })
}

