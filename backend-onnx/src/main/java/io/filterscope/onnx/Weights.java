package io.filterscope.onnx;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.FilterBank;
import io.filterscope.onnx.proto.OnnxModel.Attribute;
import io.filterscope.onnx.proto.OnnxModel.Node;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Finds the constant value behind a tensor name the way exporters store weights: an initializer, a
 * Constant node, or either of them reached through Identity, Cast, Transpose, Reshape or
 * DequantizeLinear. Values are decoded on each call; nothing is cached, so the heap holds a layer's
 * weights only while the caller does.
 */
final class Weights {
    private static final int MAX_DEPTH = 8;

    private final OnnxGraph graph;
    private final TensorData data;
    private final Path file;

    Weights(OnnxGraph graph, Path file) {
        this.graph = graph;
        this.file = file;
        this.data = new TensorData(file);
    }

    /** The constant value of {@code name}, if it is one. */
    Optional<Tensor> constant(String name) {
        return constant(name, 0);
    }

    private Optional<Tensor> constant(String name, int depth) {
        if (name.isEmpty() || depth > MAX_DEPTH) {
            return Optional.empty();
        }
        var init = graph.initializers.get(name);
        if (init != null) {
            return Optional.of(Tensor.wrap(TensorData.shapeOf(init), data.floats(init)));
        }
        Node p = graph.producers.get(name);
        if (p == null) {
            return Optional.empty();
        }
        switch (p.getOpType()) {
            case "Constant": {
                Optional<Attribute> value = OnnxGraph.attr(p, "value");
                if (value.isPresent() && value.get().hasT()) {
                    var t = value.get().getT();
                    return Optional.of(Tensor.wrap(TensorData.shapeOf(t), data.floats(t)));
                }
                return Optional.empty();
            }
            case "Identity":
            case "Cast":
                return constant(p.getInput(0), depth + 1);
            case "Transpose": {
                Optional<Tensor> in = constant(p.getInput(0), depth + 1);
                long[] perm = OnnxGraph.intsAttr(p, "perm");
                return in.map(t -> t.transpose(perm.length == 0 ? reversed(t.shape().rank()) : Arrays.stream(perm).mapToInt(v -> (int) v).toArray()));
            }
            case "Reshape": {
                Optional<Tensor> in = constant(p.getInput(0), depth + 1);
                Optional<Tensor> shape = constant(p.getInput(1), depth + 1);
                if (in.isEmpty() || shape.isEmpty()) {
                    return Optional.empty();
                }
                return Optional.of(in.get().reshape(reshapeTarget(in.get().shape(), shape.get())));
            }
            case "DequantizeLinear":
                return dequantize(p, depth);
            default:
                return Optional.empty();
        }
    }

    /**
     * The shape of a constant without decoding its values (only a Reshape's small shape input is
     * read), so layer tables can show filter shapes of models of any size cheaply.
     */
    Optional<Shape> shapeOf(String name) {
        return shapeOf(name, 0);
    }

    private Optional<Shape> shapeOf(String name, int depth) {
        if (name.isEmpty() || depth > MAX_DEPTH) {
            return Optional.empty();
        }
        var init = graph.initializers.get(name);
        if (init != null) {
            return Optional.of(TensorData.shapeOf(init));
        }
        Node p = graph.producers.get(name);
        if (p == null) {
            return Optional.empty();
        }
        switch (p.getOpType()) {
            case "Constant":
                return OnnxGraph.attr(p, "value").filter(Attribute::hasT).map(a -> TensorData.shapeOf(a.getT()));
            case "Identity":
            case "Cast":
            case "DequantizeLinear":
                return shapeOf(p.getInput(0), depth + 1);
            case "Transpose": {
                long[] perm = OnnxGraph.intsAttr(p, "perm");
                return shapeOf(p.getInput(0), depth + 1).map(s -> {
                    long[] dims = new long[s.rank()];
                    for (int k = 0; k < dims.length; k++) {
                        dims[k] = s.dim(perm.length == 0 ? dims.length - 1 - k : (int) perm[k]);
                    }
                    return Shape.of(dims);
                });
            }
            case "Reshape": {
                Optional<Shape> in = shapeOf(p.getInput(0), depth + 1);
                Optional<Tensor> spec = constant(p.getInput(1), depth + 1);
                return in.isEmpty() || spec.isEmpty() ? Optional.empty() : Optional.of(reshapeTarget(in.get(), spec.get()));
            }
            default:
                return Optional.empty();
        }
    }

    private static int[] reversed(int rank) {
        int[] r = new int[rank];
        for (int i = 0; i < rank; i++) {
            r[i] = rank - 1 - i;
        }
        return r;
    }

    private static Shape reshapeTarget(Shape from, Tensor spec) {
        long[] dims = new long[spec.size()];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            long d = (long) spec.get(i);
            if (d == 0) {
                d = from.dim(i);
            }
            if (d == -1) {
                infer = i;
            } else {
                known *= d;
            }
            dims[i] = d;
        }
        if (infer >= 0) {
            dims[infer] = from.size() / known;
        }
        return Shape.of(dims);
    }

    /** y = (x − zero_point) × scale, per tensor or per slice along {@code axis} (default 1). */
    private Optional<Tensor> dequantize(Node p, int depth) {
        Optional<Tensor> x = constant(p.getInput(0), depth + 1);
        Optional<Tensor> scale = constant(p.getInput(1), depth + 1);
        Optional<Tensor> zero = p.getInputCount() > 2 ? constant(p.getInput(2), depth + 1) : Optional.empty();
        if (x.isEmpty() || scale.isEmpty()) {
            return Optional.empty();
        }
        Shape shape = x.get().shape();
        int axis = (int) OnnxGraph.intAttr(p, "axis", 1);
        if (axis < 0) {
            axis += shape.rank();
        }
        float[] v = x.get().toArray();
        int perAxis = scale.get().size() == 1 ? 0 : (int) shape.dim(axis);
        int inner = 1;
        for (int k = axis + 1; k < shape.rank(); k++) {
            inner *= (int) shape.dim(k);
        }
        for (int i = 0; i < v.length; i++) {
            int c = perAxis == 0 ? 0 : (i / inner) % perAxis;
            float zp = zero.map(z -> z.get(z.size() == 1 ? 0 : c)).orElse(0f);
            v[i] = (v[i] - zp) * scale.get().get(c);
        }
        return Optional.of(Tensor.wrap(shape, v));
    }

    /** The filter bank of a Conv or ConvTranspose node, always out × in/groups × kH × kW. */
    FilterBank filterBank(String layer, Node n) {
        Tensor w = constant(n.getInput(1)).orElseThrow(() -> new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": the weights of layer '"
                + TensorData.ExternalData.printable(layer) + "' are computed at run time (tensor '" + TensorData.ExternalData.printable(n.getInput(1)) + "'), not stored; FilterScope shows stored weights only"));
        Optional<Tensor> bias = n.getInputCount() > 2 ? constant(n.getInput(2)) : Optional.empty();
        int rank = w.shape().rank();
        if (rank == 3) {
            // 1-D convolution: show each kernel as a 1 × k strip.
            w = w.reshape(Shape.of(w.shape().dim(0), w.shape().dim(1), 1, w.shape().dim(2)));
        } else if (rank != 4) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": layer '" + TensorData.ExternalData.printable(layer) + "' has " + (rank - 2)
                    + "-D kernels; FilterScope draws 1-D and 2-D convolutions only");
        }
        int groups = (int) OnnxGraph.intAttr(n, "group", 1);
        boolean transposed = n.getOpType().equals("ConvTranspose");
        if (transposed) {
            w = transposeToOutputFirst(w, groups);
        }
        return new FilterBank(layer, w, bias, spatial(n, "strides", 1), pads(n), spatial(n, "dilations", 1), groups, transposed,
                n.getInput(1));
    }

    /**
     * ONNX stores ConvTranspose weights as in × out/groups × kH × kW; present one filter per output
     * channel, out × in/groups × kH × kW, like a plain convolution.
     */
    static Tensor transposeToOutputFirst(Tensor w, int groups) {
        int in = (int) w.shape().dim(0);
        int outPerGroup = (int) w.shape().dim(1);
        int kh = (int) w.shape().dim(2);
        int kw = (int) w.shape().dim(3);
        int inPerGroup = in / groups;
        int out = outPerGroup * groups;
        int k = kh * kw;
        float[] src = w.toArray();
        float[] dst = new float[src.length];
        for (int o = 0; o < out; o++) {
            int g = o / outPerGroup;
            int oo = o % outPerGroup;
            for (int il = 0; il < inPerGroup; il++) {
                int i = g * inPerGroup + il;
                System.arraycopy(src, (i * outPerGroup + oo) * k, dst, (o * inPerGroup + il) * k, k);
            }
        }
        return Tensor.wrap(Shape.of(out, inPerGroup, kh, kw), dst);
    }

    private static int[] spatial(Node n, String name, int fallback) {
        long[] v = OnnxGraph.intsAttr(n, name);
        return v.length == 0 ? new int[] {fallback, fallback} : Arrays.stream(v).mapToInt(x -> (int) x).toArray();
    }

    private static int[] pads(Node n) {
        long[] v = OnnxGraph.intsAttr(n, "pads");
        return v.length == 0 ? new int[4] : Arrays.stream(v).mapToInt(x -> (int) x).toArray();
    }
}
