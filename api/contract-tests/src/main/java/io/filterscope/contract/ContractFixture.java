package io.filterscope.contract;

import io.filterscope.model.LayerKind;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A model a backend runs {@link BackendContract} against, with what is known about it from outside
 * the backend (the exporter's layer names, the architecture's filter shapes). Build one with
 * {@link #builder(String, Path)}.
 *
 * @param backendId     the id of the backend under test, as {@link io.filterscope.spi.ModelBackend#id()} says it
 * @param model         the model file
 * @param options       how to open it (the backend is forced to {@code backendId})
 * @param layers        every layer in execution order, with its kind
 * @param filterShapes  the filter shape (out × in/groups × kH × kW) of every layer that has filters
 * @param input         a valid input batch (two or more items, values of both signs) in the model's own layout
 * @param wrongInputShape a batch shape the model must refuse
 * @param reluLayer     a layer whose activation (inside it, or in the node after it) is a ReLU, for
 *                      the post-activation case; empty skips that part
 * @param residualLayer a layer that only feeds a residual sum, which "every spatial layer" leaves
 *                      out post-activation; empty skips that part
 */
public record ContractFixture(
        String backendId,
        Path model,
        OpenOptions options,
        List<Layer> layers,
        Map<String, Shape> filterShapes,
        Tensor input,
        Shape wrongInputShape,
        Optional<String> reluLayer,
        Optional<String> residualLayer) {

    /** A layer's name and kind. */
    public record Layer(String name, LayerKind kind) {
    }

    public ContractFixture {
        Objects.requireNonNull(backendId, "backendId");
        Objects.requireNonNull(model, "model");
        options = options.withBackend(backendId);
        layers = List.copyOf(layers);
        filterShapes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(filterShapes));
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(wrongInputShape, "wrongInputShape");
        if (input.shape().dim(0) < 2) {
            throw new IllegalArgumentException("the contract input needs two or more batch items, got " + input.shape());
        }
    }

    /** A builder for a fixture of backend {@code backendId} over {@code model}. */
    public static Builder builder(String backendId, Path model) {
        return new Builder(backendId, model);
    }

    /** Builds a {@link ContractFixture}; layers and filter shapes are added in execution order. */
    public static final class Builder {
        private final String backendId;
        private final Path model;
        private OpenOptions options = OpenOptions.defaults();
        private final List<Layer> layers = new ArrayList<>();
        private final Map<String, Shape> filterShapes = new LinkedHashMap<>();
        private Tensor input;
        private Shape wrongInputShape;
        private Optional<String> reluLayer = Optional.empty();
        private Optional<String> residualLayer = Optional.empty();

        private Builder(String backendId, Path model) {
            this.backendId = backendId;
            this.model = model;
        }

        /** How to open the model; the backend id is set by the fixture. */
        public Builder options(OpenOptions value) {
            this.options = value;
            return this;
        }

        /** The next layer in execution order. */
        public Builder layer(String name, LayerKind kind) {
            layers.add(new Layer(name, kind));
            return this;
        }

        /** The next layer in execution order, one with filters of this shape. */
        public Builder layer(String name, LayerKind kind, long... filterShape) {
            layers.add(new Layer(name, kind));
            filterShapes.put(name, Shape.of(filterShape));
            return this;
        }

        public Builder input(Tensor value) {
            this.input = value;
            return this;
        }

        public Builder wrongInputShape(long... dims) {
            this.wrongInputShape = Shape.of(dims);
            return this;
        }

        public Builder reluLayer(String name) {
            this.reluLayer = Optional.of(name);
            return this;
        }

        public Builder residualLayer(String name) {
            this.residualLayer = Optional.of(name);
            return this;
        }

        public ContractFixture build() {
            return new ContractFixture(backendId, model, options, layers, filterShapes, input, wrongInputShape, reluLayer, residualLayer);
        }
    }

    /**
     * A seeded batch of values in [-1, 1) of this shape: both signs, so a ReLU visibly cuts, and the
     * same on every run.
     */
    public static Tensor seededInput(long seed, long... dims) {
        Shape s = Shape.of(dims);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Tensor.wrap(s, v);
    }
}
