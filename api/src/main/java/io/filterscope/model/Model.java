package io.filterscope.model;

import io.filterscope.tensor.Tensor;
import java.util.List;
import java.util.Set;

/**
 * An opened model. Holds native resources (runtime sessions, off-heap buffers): close it when done.
 * Instances are safe to use from several threads: concurrent calls give the same results as the
 * same calls one after another. The backend contract tests ({@code filterscope-contract-tests})
 * check this and the rest of what this interface promises.
 */
public interface Model extends AutoCloseable {

    /** What the file says about itself. */
    ModelMetadata metadata();

    /** Layers in execution order. */
    List<LayerInfo> layers();

    /**
     * The layer with this name.
     *
     * @throws io.filterscope.FilterScopeException naming close names when there is none
     */
    default LayerInfo layer(String name) {
        return io.filterscope.Names.findLayer(layers(), name, metadata().file());
    }

    /** What this model can do beyond forward inference. */
    Set<Capability> capabilities();

    /**
     * The weights of a conv-like layer, decoded on demand (nothing is kept after the call).
     *
     * @throws io.filterscope.FilterScopeException when the layer has no filters
     */
    FilterBank filters(String layer);

    /** The weights of every conv-like layer, in execution order. */
    default List<FilterBank> allFilters() {
        return layers().stream().filter(l -> l.kind().hasFilters()).map(l -> filters(l.name())).toList();
    }

    /**
     * Runs one batch and captures the requested layers in the same inference.
     *
     * @param input a batch in the model's own input layout, e.g. N × 1 × 28 × 28
     * @throws io.filterscope.FilterScopeException of kind {@link io.filterscope.ErrorKind#INPUT_SHAPE}
     *         when the input shape does not fit: one line that starts with the model's file name,
     *         says what the input "must be" and which shape it "got", and ends with what to do; of
     *         kind {@link io.filterscope.ErrorKind#UNKNOWN_LAYER} when a named layer does not exist
     */
    Activations capture(Tensor input, CaptureRequest request);

    /**
     * Differentiates the request's target (an output unit, or the mean activation of a layer's
     * channel) with respect to the input and/or layer outputs. Only models whose
     * {@link #capabilities()} include {@link Capability#GRADIENTS} support it.
     *
     * @throws io.filterscope.FilterScopeException of kind {@link io.filterscope.ErrorKind#UNSUPPORTED}
     *         when this backend has no gradients (the message says which backend has); of kind
     *         {@link io.filterscope.ErrorKind#INVALID_ARGUMENT} naming an output index or channel out of
     *         range, or a target layer whose output is neither N × C × H × W nor N × C; of kind
     *         {@link io.filterscope.ErrorKind#UNKNOWN_LAYER} naming a layer that does not exist
     */
    default Gradients gradients(Tensor input, GradientRequest request) {
        throw new io.filterscope.FilterScopeException(io.filterscope.ErrorKind.UNSUPPORTED, metadata().file().getFileName() + ": the " + metadata().format()
                + " backend cannot compute gradients; open a DL4J or Keras model, or use a forward-only explanation");
    }

    /**
     * Runs the rest of the network from a layer: the model's first output when {@code layer}'s output
     * (the tensor {@link #capture} gives for it, images as N × C × H × W whatever the backend's own
     * layout) is {@code layerOutput} instead of what the input made of it. The batch may be of any
     * size the model accepts. Only models whose {@link #capabilities()} include
     * {@link Capability#RUN_FROM_LAYER} support it; Ablation-CAM runs on it.
     *
     * @throws io.filterscope.FilterScopeException of kind {@link io.filterscope.ErrorKind#UNSUPPORTED}
     *         when this backend cannot, or when the output depends on more than that layer's output
     *         (a branch around it joins later, as inside a residual block: the message suggests
     *         {@link #runFrom(String, Tensor, Tensor)} or a later layer); of kind
     *         {@link io.filterscope.ErrorKind#INPUT_SHAPE} when {@code layerOutput} does not have the
     *         layer's shape; of kind {@link io.filterscope.ErrorKind#UNKNOWN_LAYER} for a layer the
     *         model lacks
     */
    default Tensor runFrom(String layer, Tensor layerOutput) {
        throw new io.filterscope.FilterScopeException(io.filterscope.ErrorKind.UNSUPPORTED, metadata().file().getFileName() + ": the "
                + metadata().format() + " backend cannot run the network from a layer's output; use scorecam, which also needs no gradients");
    }

    /**
     * As {@link #runFrom(String, Tensor)} for a layer that tensors computed before it may go around
     * (a skip connection over a layer inside a residual block): those are the ones {@code input}
     * makes, so only the layer's output is replaced by {@code layerOutput}. {@code input} is the
     * example the ablations are made from, a batch of 1 shared by every row of {@code layerOutput},
     * or a batch as large as {@code layerOutput}'s. Where nothing goes around the layer, the input is
     * not used. The default ignores {@code input}, for backends whose {@code runFrom} refuses such layers.
     *
     * @throws io.filterscope.FilterScopeException as {@link #runFrom(String, Tensor)}, and of kind
     *         {@link io.filterscope.ErrorKind#INPUT_SHAPE} when {@code input} is not a batch the model
     *         accepts of 1 or of {@code layerOutput}'s size
     */
    default Tensor runFrom(String layer, Tensor layerOutput, Tensor input) {
        return runFrom(layer, layerOutput);
    }

    /**
     * Runs one batch and reduces every channel of {@code layer}'s feature maps to its peaks: the
     * largest value, the mean and where the largest lies ({@link ChannelPeaks} defines them). What
     * dataset examples need of a batch, and no more: a backend may compute it inside its runtime, and
     * run only the part of the network the layer needs, instead of handing out the maps. The default
     * captures the layer and reduces the maps here.
     *
     * @param input a batch in the model's own input layout
     * @throws io.filterscope.FilterScopeException of kind {@link io.filterscope.ErrorKind#INVALID_ARGUMENT}
     *         when the layer's output is not N × C × H × W feature maps, and as {@link #capture}
     */
    default ChannelPeaks peaks(Tensor input, String layer) {
        LayerInfo info = layer(layer);
        try (Activations acts = capture(input, CaptureRequest.layers(info.name()))) {
            LayerOutput out = acts.layer(info.name()).orElseThrow(() -> new io.filterscope.FilterScopeException(
                    io.filterscope.ErrorKind.INFERENCE_FAILED, metadata().file().getFileName() + ": the backend did not capture layer '" + info.name() + "'"));
            if (!out.isSpatial()) {
                throw notFeatureMaps(info, out.values().shape());
            }
            return ChannelPeaks.of(info.name(), out.values());
        }
    }

    /** The error for a layer whose output is {@code shape}, not feature maps: one line naming what to do. */
    private io.filterscope.FilterScopeException notFeatureMaps(LayerInfo layer, io.filterscope.tensor.Shape shape) {
        return new io.filterscope.FilterScopeException(io.filterscope.ErrorKind.INVALID_ARGUMENT, metadata().file().getFileName() + ": layer '"
                + layer.name() + "' outputs " + shape + ", not N×C×H×W feature maps; choose a layer with feature maps (`filterscope info` lists them)");
    }

    /**
     * Runs one batch and returns the first output. A backend may lend it recycled memory
     * ({@link Tensor#lent}): {@link Tensor#release()} it once read, in a loop, so the next run reuses
     * that memory at once (otherwise the garbage collector gives it back later).
     */
    default Tensor run(Tensor input) {
        return capture(input, CaptureRequest.outputOnly()).output();
    }

    /**
     * Frees what the model holds. Closing twice does nothing. {@link #capture}, {@link #run},
     * {@link #filters}, {@link #gradients} and {@link #runFrom} after closing throw
     * {@link io.filterscope.FilterScopeException} of kind {@link io.filterscope.ErrorKind#MODEL_CLOSED};
     * {@link #metadata()} and {@link #layers()} still answer.
     */
    @Override
    void close();
}
