#!/usr/bin/env bash
# Reproduces docs/benchmarks.md. Needs the Python packages of samples/scripts (torch, torchvision,
# onnx) once, to export the benchmark models; the measurements themselves are Java only.
#
#   samples/scripts/bench.sh [MODEL_DIR]      (default /tmp/bench-models)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-/tmp/bench-models}
mkdir -p "$dir"
[ -f "$dir/resnet18.onnx" ] || python3 samples/scripts/export_benchmark_models.py "$dir"
[ -f "$dir/large.onnx" ] || python3 samples/scripts/make_large_model.py "$dir/large.onnx"
./mvnw -q -B -DskipTests install
cp=$(./mvnw -q -B -pl samples dependency:build-classpath -Dmdep.outputFile=/dev/stdout):samples/target/classes
# -Xms2g -XX:+AlwaysPreTouch: a capture hands back tens of MB of feature maps; a heap that must grow (and that G1 shrinks
# again) makes the first touch of fresh pages cost more than the copy itself.
for m in resnet18 mobilenet_v2; do
  java -Xms2g -XX:+AlwaysPreTouch -cp "$cp" io.filterscope.samples.bench.CaptureOverhead "$dir/$m.onnx" 60
done
java -cp "$cp" io.filterscope.samples.bench.OpenMemory "$dir/large.onnx"
