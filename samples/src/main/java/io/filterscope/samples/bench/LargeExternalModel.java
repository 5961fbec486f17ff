package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.Model;
import io.filterscope.onnx.proto.OnnxModel.Attribute;
import io.filterscope.onnx.proto.OnnxModel.Graph;
import io.filterscope.onnx.proto.OnnxModel.Node;
import io.filterscope.onnx.proto.OnnxModel.OperatorSetId;
import io.filterscope.onnx.proto.OnnxModel.StringStringEntry;
import io.filterscope.onnx.proto.OnnxModel.Tensor.DataLocation;
import io.filterscope.onnx.proto.OnnxModel.TensorShape;
import io.filterscope.onnx.proto.OnnxModel.TypeInfo;
import io.filterscope.onnx.proto.OnnxModel.ValueInfo;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opt-in harness: "a model over 2 GB with external data opens". Writes an ONNX model whose weights
 * (2 × 32768 × {@code COLUMNS} floats, 2.4 GB by default) lie in one external data file, the small
 * convolution's last, at an offset past 2^31, then opens it with FilterScope, reads the
 * convolution's filters, captures every layer and checks the output against the same arithmetic
 * done here in Java. The weights follow a formula, so nothing is kept in memory while writing.
 *
 * <pre>java -Xmx1g -cp ... io.filterscope.samples.bench.LargeExternalModel [FOLDER] [COLUMNS]</pre>
 * FOLDER defaults to a new folder under /tmp, deleted afterwards; COLUMNS to 9000 (2.36 GB).
 *
 * <p>Graph: x [1,1,64,64] → Conv 3×3 (8 filters) → Relu → Flatten → two MatMuls with [32768, COLUMNS]
 * weights → Add → y [1, COLUMNS].
 */
public final class LargeExternalModel {
    private static final int SIDE = 64;
    private static final int FILTERS = 8;
    private static final int ROWS = FILTERS * SIDE * SIDE;

    private LargeExternalModel() {
    }

    public static void main(String[] args) throws Exception {
        boolean temporary = args.length < 1;
        Path dir = temporary ? Files.createTempDirectory("filterscope-large") : Files.createDirectories(Path.of(args[0]));
        int columns = args.length > 1 ? Integer.parseInt(args[1]) : 9000;
        try {
            run(dir, columns);
        } finally {
            if (temporary) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
                Files.delete(dir);
            }
        }
    }

    private static void run(Path dir, int columns) throws IOException {
        Path model = dir.resolve("large.onnx");
        long t0 = System.nanoTime();
        long dataBytes = write(model, columns);
        say("wrote %s: %,d bytes of model, %,d bytes of external data (%s) in %.1f s%n", model, Files.size(model), dataBytes,
                "large.onnx.data", (System.nanoTime() - t0) / 1e9);
        say("RSS before opening %d MB%n", NativeMemorySoak.rssMb());
        t0 = System.nanoTime();
        try (Model m = FilterScope.open(model)) {
            say("opened in %.1f s: %d layers; RSS %d MB, heap used %d MB%n", (System.nanoTime() - t0) / 1e9, m.layers().size(),
                    NativeMemorySoak.rssMb(), (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
            FilterBank conv = m.filters("conv");
            float[] w = conv.weights().toArray();
            for (int i = 0; i < w.length; i++) {
                check(w[i] == value(CONV_SEED, i), "conv weight " + i + " is " + w[i] + ", written " + value(CONV_SEED, i));
            }
            say("conv filters read back: %s, equal to those written%n", conv.weights().shape());

            float[] image = new float[SIDE * SIDE];
            for (int i = 0; i < image.length; i++) {
                image[i] = value(IMAGE_SEED, i) + 0.5f;
            }
            t0 = System.nanoTime();
            Activations a = m.capture(Tensor.wrap(Shape.of(1, 1, SIDE, SIDE), image), CaptureRequest.allSpatial());
            say("captured %d layers in %.1f s; RSS %d MB%n", a.layers().size(), (System.nanoTime() - t0) / 1e9, NativeMemorySoak.rssMb());
            float[] want = reference(image, columns);
            float[] got = a.output().toArray();
            check(got.length == columns, "output has " + got.length + " values, not " + columns);
            double worst = 0;
            for (int j = 0; j < columns; j++) {
                worst = Math.max(worst, Math.abs(got[j] - want[j]) / (1 + Math.abs(want[j])));
            }
            check(worst < 1e-3, "output differs from the Java arithmetic by " + worst + " (relative)");
            say("output [1, %d] matches the Java arithmetic (largest relative difference %.2e)%n", columns, worst);
        }
        say("closed; RSS %d MB%n", NativeMemorySoak.rssMb());
    }

    private static final int A_SEED = 1;
    private static final int B_SEED = 2;
    private static final int CONV_SEED = 3;
    private static final int BIAS_SEED = 4;
    private static final int IMAGE_SEED = 5;

    /** The weights' formula: a hash of (seed, index) spread over [-0.5, 0.5) in steps of 2^-16. */
    static float value(int seed, long index) {
        long h = (index + 1) * 0x9E3779B97F4A7C15L + seed * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return ((h & 0xFFFF) / 65536f) - 0.5f;
    }

    /** y = relu(conv(x)) flattened, times (A + B): in float, as ONNX Runtime does it (to within rounding). */
    private static float[] reference(float[] image, int columns) {
        float[] h = new float[ROWS];
        for (int f = 0; f < FILTERS; f++) {
            for (int r = 0; r < SIDE; r++) {
                for (int c = 0; c < SIDE; c++) {
                    double s = value(BIAS_SEED, f);
                    for (int dr = -1; dr <= 1; dr++) {
                        for (int dc = -1; dc <= 1; dc++) {
                            int rr = r + dr;
                            int cc = c + dc;
                            if (rr >= 0 && rr < SIDE && cc >= 0 && cc < SIDE) {
                                s += value(CONV_SEED, f * 9 + (dr + 1) * 3 + (dc + 1)) * image[rr * SIDE + cc];
                            }
                        }
                    }
                    h[(f * SIDE + r) * SIDE + c] = (float) Math.max(0, s);
                }
            }
        }
        double[] y = new double[columns];
        for (int i = 0; i < ROWS; i++) {
            if (h[i] == 0) {
                continue;
            }
            for (int j = 0; j < columns; j++) {
                long k = (long) i * columns + j;
                y[j] += h[i] * ((double) value(A_SEED, k) + value(B_SEED, k));
            }
        }
        float[] out = new float[columns];
        for (int j = 0; j < columns; j++) {
            out[j] = (float) y[j];
        }
        return out;
    }

    /** Writes the model and its one data file; returns the data file's size. */
    private static long write(Path model, int columns) throws IOException {
        Path data = model.resolveSibling("large.onnx.data");
        long big = (long) ROWS * columns;
        long[] offsets = new long[4];
        try (FileChannel out = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            offsets[0] = out.position();
            floats(out, A_SEED, big);
            offsets[1] = out.position();
            floats(out, B_SEED, big);
            offsets[2] = out.position();
            floats(out, CONV_SEED, FILTERS * 9L);
            offsets[3] = out.position();
            floats(out, BIAS_SEED, FILTERS);
        }
        Graph.Builder g = Graph.newBuilder().setName("large")
                .addInput(input("x", 1, 1, SIDE, SIDE)).addOutput(input("y", 1, columns))
                .addInitializer(external("A", offsets[0], big, ROWS, columns))
                .addInitializer(external("B", offsets[1], big, ROWS, columns))
                .addInitializer(external("W", offsets[2], FILTERS * 9L, FILTERS, 1, 3, 3))
                .addInitializer(external("bias", offsets[3], FILTERS, FILTERS))
                .addNode(Node.newBuilder().setName("conv").setOpType("Conv").addInput("x").addInput("W").addInput("bias").addOutput("c")
                        .addAttribute(ints("pads", 1, 1, 1, 1)).addAttribute(ints("kernel_shape", 3, 3)))
                .addNode(Node.newBuilder().setName("relu").setOpType("Relu").addInput("c").addOutput("r"))
                .addNode(Node.newBuilder().setName("flatten").setOpType("Flatten").addInput("r").addOutput("f"))
                .addNode(Node.newBuilder().setName("fc_a").setOpType("MatMul").addInput("f").addInput("A").addOutput("ya"))
                .addNode(Node.newBuilder().setName("fc_b").setOpType("MatMul").addInput("f").addInput("B").addOutput("yb"))
                .addNode(Node.newBuilder().setName("sum").setOpType("Add").addInput("ya").addInput("yb").addOutput("y"));
        var m = io.filterscope.onnx.proto.OnnxModel.Model.newBuilder().setIrVersion(8).setProducerName("LargeExternalModel")
                .addOpsetImport(OperatorSetId.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
        Files.write(model, m.toByteArray());
        return Files.size(data);
    }

    private static void floats(FileChannel out, int seed, long count) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < count; i++) {
            buf.putFloat(value(seed, i));
            if (!buf.hasRemaining()) {
                buf.flip();
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                buf.clear();
            }
        }
        buf.flip();
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    private static io.filterscope.onnx.proto.OnnxModel.Tensor external(String name, long offset, long count, long... dims) {
        var t = io.filterscope.onnx.proto.OnnxModel.Tensor.newBuilder().setName(name).setDataType(1).setDataLocation(DataLocation.EXTERNAL)
                .addExternalData(entry("location", "large.onnx.data")).addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(count * Float.BYTES)));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static StringStringEntry entry(String key, String value) {
        return StringStringEntry.newBuilder().setKey(key).setValue(value).build();
    }

    private static Attribute ints(String name, long... values) {
        Attribute.Builder a = Attribute.newBuilder().setName(name).setType(Attribute.Type.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static ValueInfo input(String name, long... dims) {
        TensorShape.Builder s = TensorShape.newBuilder();
        for (long d : dims) {
            s.addDim(TensorShape.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfo.newBuilder().setName(name)
                .setType(TypeInfo.newBuilder().setTensorType(TypeInfo.TensorType.newBuilder().setElemType(1).setShape(s))).build();
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    private static void say(String format, Object... args) {
        System.out.printf(format, args);
        System.out.flush();
    }
}
