package io.filterscope.model;

import java.nio.file.Path;
import java.util.List;

/**
 * What a model file says about itself.
 *
 * @param file            the file the model was opened from
 * @param fileSize        its size in bytes
 * @param format          the format, e.g. "ONNX"
 * @param producer        the tool that wrote it with its version, e.g. "pytorch 2.13.0"; empty when unknown
 * @param formatVersion   the container version, e.g. "IR 8"; empty when not applicable
 * @param opsetVersion    the operator set version, 0 when not applicable
 * @param inputs          declared inputs
 * @param outputs         declared outputs
 * @param inputLayout     NCHW or NHWC for an image input, as detected from the graph
 */
public record ModelMetadata(
        Path file,
        long fileSize,
        String format,
        String producer,
        String formatVersion,
        long opsetVersion,
        List<TensorSpec> inputs,
        List<TensorSpec> outputs,
        Layout inputLayout) {
    public ModelMetadata {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The first input, the one images are fed to. */
    public TensorSpec input() {
        return inputs.get(0);
    }
}
