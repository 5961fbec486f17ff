#!/usr/bin/env bash
# Reproduces docs/benchmarks.md. Needs a Python with torch, torchvision, onnx, onnxruntime, numpy and
# matplotlib (PYTHON, default python3; e.g. a venv under /tmp made from the local pip index): it
# exports the benchmark models once (seeded weights, nothing downloaded, kept outside the repository)
# and runs the Python peers. The DL4J benchmarks read Fashion-MNIST from Debian's
# dataset-fashion-mnist; the viewer benchmark needs a display (it runs itself under xvfb-run when
# there is none). CI does not run this.
#
#   samples/scripts/bench.sh [MODEL_DIR]      (default /tmp/bench-models)
#   PEERS_ONLY=1 samples/scripts/bench.sh     (only FilterScope against the Python routes)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-/tmp/bench-models}
py=${PYTHON:-python3}
mkdir -p "$dir"
[ -f "$dir/squeezenet1_1.onnx" ] && [ -f "$dir/input.npy" ] || "$py" samples/scripts/export_benchmark_models.py "$dir"
./mvnw -q -B -DskipTests -Dmaven.javadoc.skip package
cp="samples/target/classes:samples/target/lib/*"

# FilterScope against ONNX Runtime Python, PyTorch hooks and the matplotlib route, interleaved round by
# round in one run; rewrites its section of docs/benchmarks.md.
"$py" samples/scripts/bench_peers.py "$dir" "$cp" --rounds "${ROUNDS:-40}" --grid-rounds "${GRID_ROUNDS:-5}" \
  --threads "${THREADS:-2}" --markdown docs/benchmarks.md --json "$dir/peers.json"
[ -z "${PEERS_ONLY:-}" ] || exit 0

[ -f "$dir/large.onnx" ] || "$py" samples/scripts/make_large_model.py "$dir/large.onnx"
# -Xms2g -XX:+AlwaysPreTouch: a capture hands back tens of MB of feature maps; a heap that must grow (and that G1 shrinks
# again) makes the first touch of fresh pages cost more than the copy itself.
for m in resnet18 mobilenet_v2 squeezenet1_1; do
  java -Xms2g -XX:+AlwaysPreTouch -cp "$cp" io.filterscope.samples.bench.CaptureOverhead "$dir/$m.onnx" 60
done
java -cp "$cp" io.filterscope.samples.bench.OpenMemory "$dir/large.onnx"
# Peak memory: opening VGG-16 (553 MB) as the viewer does, under 1.5 x its size and under 64 MB of heap,
# and capturing every spatial layer of ResNet-18 for a batch of 32 (a free-batch export of its own).
[ -f "$dir/vgg16.onnx" ] || "$py" samples/scripts/make_vgg16.py "$dir/vgg16.onnx"
[ -f "$dir/batch/resnet18.onnx" ] || "$py" samples/scripts/export_benchmark_models.py "$dir/batch" --dynamic-batch resnet18
java -Xmx830m -cp "$cp" io.filterscope.samples.bench.PeakMemory open "$dir/vgg16.onnx"
java -Xmx64m -cp "$cp" io.filterscope.samples.bench.PeakMemory open "$dir/vgg16.onnx"
java -cp "$cp" io.filterscope.samples.bench.PeakMemory capture "$dir/batch/resnet18.onnx" 32 3

# ONNX gradients: accuracy against PyTorch autograd, and cost against a forward pass (docs/onnx-gradients.md).
[ -f "$dir/grad-check/resnet18_grad32.npy" ] || python3 samples/scripts/make_gradient_check.py "$dir/grad-check"
java -cp "$cp" io.filterscope.samples.bench.GradientCheck "$dir/grad-check"
java -Xms1g -cp "$cp" io.filterscope.samples.bench.GradientOverhead "$dir/grad-check/resnet18.onnx" 40 1

# DL4J vs ONNX Runtime: the bundled Keras model, opened and every feature map of 64 test images.
fm=samples/models/fashion-mnist
java -Xms2g -cp "$cp" io.filterscope.samples.bench.BackendComparison \
  "$fm/fashion_cnn_keras.keras" dl4j "$fm/fashion_cnn_keras.onnx" onnx 10 64
java -Xms2g -cp "$cp" io.filterscope.samples.bench.BackendComparison \
  "$fm/fashion_cnn_dl4j.zip" dl4j "$fm/fashion_cnn.onnx" onnx 10 64

# Where DL4J's capture spends: against DL4J's own forward pass and ONNX Runtime, ND4J's op profile, and
# DL4J's convolution layer against ND4J's conv2d op.
java -cp "$cp" io.filterscope.samples.bench.Dl4jProfile "$fm/fashion_cnn_dl4j.zip" "$fm/fashion_cnn.onnx" 10 64 --ops
java -cp "$cp" io.filterscope.samples.bench.Dl4jConvPaths "$fm/fashion_cnn_dl4j.zip" 10 64
# Native memory: one DL4J model from 8 threads, 24,000 captures, RSS as it goes (docs/benchmarks.md).
java -Xmx512m -cp "$cp" io.filterscope.samples.bench.NativeMemorySoak \
  "$fm/fashion_cnn_keras.keras" "$fm/images/9-ankle-boot.png" 8 24000 --open-close 1000

# What watching costs DL4J training (PNG recorder when headless, the live window under a display).
java -Djava.awt.headless=true -cp "$cp" io.filterscope.samples.watch.TrainingViewCost mln 3 60 20
on_display() { if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a -s "-screen 0 1280x1024x24" "$@"; fi; }
on_display java -cp "$cp" io.filterscope.samples.watch.TrainingViewCost graph 3 60 20

# PNG writing: ImageIO's writer against Png.encode on the grids of one capture (docs/benchmarks.md).
java -Djava.awt.headless=true -cp "$cp" io.filterscope.samples.bench.PngEncodeSpeed "$dir" 7 resnet18 mobilenet_v2 squeezenet1_1

# A wide layer's Filters tab (512 x 512 x 3 x 3): first picture, painted piece by piece, against the whole grid.
on_display java -cp "$cp" io.filterscope.samples.bench.WideFilters "$dir/resnet18.onnx" 12

# The viewer: layer switch and event-dispatch-thread latency during captures of ResNet-18.
on_display java -cp "$cp" io.filterscope.samples.bench.ViewerResponsiveness "$dir/resnet18.onnx" 20 10
