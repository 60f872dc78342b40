#!/usr/bin/env bash
# A4's `paper` profile with 2 runs per configuration on a borrowed accelerator machine (issue 7),
# from the bundle that `cargo xtask device-bundle` writes to .device/ (name it in `carry`):
#
#     device run: command "bash scripts/device/a4-paper-gpu.sh", carry [".device"], timeout_s 560
#
# That machine has PyTorch 2.11.0 (its libtorch is the one infomax was built against) and no
# network. The script unpacks the binary, OpenBLAS and MNIST into a temporary folder, puts that
# machine's libtorch on the loader path, runs `infomax reproduce`, and stops it after BUDGET_S
# seconds (finished runs are recorded one by one, so a stopped grid keeps them; the report is then
# rewritten from them with --report-only and says which are missing). Back in $OUT: log.txt, REPORT.md, summary.json, and the whole results
# folder as <NAME>.tar.gz (unpack it into results/; to continue a stopped grid in a later call,
# copy it to .device/resume/ first).
#
# Settings through the environment (defaults for the device run; the CPU check uses the others):
#   EXPERIMENT=a4 PROFILE=paper RUNS=2 DEVICE=cuda BUDGET_S=480 NAME=a4-paper-gpu
#   TORCH_LIB=<lib folder of python3's torch>   OUT=<$OUT, else ./device-out>
set -uo pipefail
cd "$(dirname "$0")/../.."
EXPERIMENT=${EXPERIMENT:-a4}
PROFILE=${PROFILE:-paper}
RUNS=${RUNS:-2}
DEVICE=${DEVICE:-cuda}
BUDGET_S=${BUDGET_S:-480}
NAME=${NAME:-a4-paper-gpu}
OUT=${OUT:-$PWD/device-out}
mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1

if [ ! -f .device/bin/infomax.gz ]; then
    echo "error: no bundle in .device/: run \`cargo xtask device-bundle\` on the build machine and carry .device"
    exit 2
fi
if [ -z "${TORCH_LIB:-}" ]; then
    TORCH_LIB=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))') || {
        echo "error: python3 cannot import torch here; set TORCH_LIB to the folder holding libtorch_cpu.so"
        exit 2
    }
fi
if [ ! -f "$TORCH_LIB/libtorch_cpu.so" ]; then
    echo "error: $TORCH_LIB has no libtorch_cpu.so; set TORCH_LIB to libtorch's lib folder"
    exit 2
fi

work=$(mktemp -d)
mkdir -p "$work/lib" "$work/data/mnist"
for f in .device/lib/*.gz; do
    [ -e "$f" ] && gunzip -c "$f" >"$work/lib/$(basename "${f%.gz}")"
done
for f in .device/mnist/*.gz; do
    gunzip -c "$f" >"$work/data/mnist/$(basename "${f%.gz}")"
done
gunzip -c .device/bin/infomax.gz >"$work/infomax"
# a grid stopped at the budget of an earlier call continues: put the archive that call returned
# at .device/resume/<NAME>.tar.gz (the runs it recorded are kept, the missing ones are trained)
if [ -f ".device/resume/$NAME.tar.gz" ]; then
    tar -xzf ".device/resume/$NAME.tar.gz" -C "$work"
    echo "== resuming from .device/resume/$NAME.tar.gz: $(grep -c . "$work/$NAME/runs.jsonl" 2>/dev/null || echo 0) evaluation records"
fi
chmod +x "$work/infomax"
export LD_LIBRARY_PATH="$work/lib:$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

echo "== $(date -u +%FT%TZ) on $(hostname): $(nproc) cores"
nvidia-smi -L 2>/dev/null || echo "(no nvidia-smi)"
echo "== libraries as loaded:"
ldd "$work/infomax" | grep -E "torch|openblas|gfortran|not found"
"$work/infomax" doctor || true

echo "== infomax reproduce $EXPERIMENT --profile $PROFILE --runs $RUNS --device $DEVICE (stopped after ${BUDGET_S} s)"
start=$(date +%s)
timeout -s INT -k 20 "$BUDGET_S" "$work/infomax" reproduce "$EXPERIMENT" --profile "$PROFILE" --runs "$RUNS" \
    --device "$DEVICE" --data-dir "$work/data" --out "$work/$NAME"
rc=$?
echo "== reproduce exit status $rc after $(( $(date +%s) - start )) s (124 or 130: stopped at the budget)"
if [ "$rc" != 0 ] && [ -s "$work/$NAME/runs.jsonl" ]; then
    # a run stopped while writing its report leaves the report one run behind: rewrite it
    timeout -k 10 90 "$work/infomax" reproduce "$EXPERIMENT" --profile "$PROFILE" --runs "$RUNS" --device "$DEVICE" \
        --data-dir "$work/data" --out "$work/$NAME" --report-only --quiet
    echo "== report rewritten from the recorded runs (exit status $?)"
fi

if [ -d "$work/$NAME" ]; then
    tar -czf "$OUT/$NAME.tar.gz" -C "$work" "$NAME"
    for f in REPORT.md summary.json; do
        [ -f "$work/$NAME/$f" ] && cp "$work/$NAME/$f" "$OUT/$f"
    done
    echo "== runs recorded: $(grep -c . "$work/$NAME/runs.jsonl" 2>/dev/null || echo 0) evaluation records"
fi
rm -rf "$work"
exit $rc
