package io.filterscope.onnx;

import io.filterscope.model.Model;
import io.filterscope.spi.ModelBackend;
import io.filterscope.spi.OpenOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens ONNX models. The file is read by FilterScope itself (ONNX Runtime's Java API exposes neither
 * weights nor intermediate tensors); ONNX Runtime runs the inference. Registered through
 * {@code META-INF/services/io.filterscope.spi.ModelBackend}; the constructor loads nothing native.
 */
public final class OnnxBackend implements ModelBackend {

    /** The id used in {@link OpenOptions#backend()} and on the command line. */
    public static final String ID = "onnx";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String describeFiles() {
        return "ONNX models (*.onnx)";
    }

    @Override
    public boolean claims(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".onnx")) {
            return true;
        }
        // Without the extension, sniff: every ONNX file the exporters write starts with field 1
        // (ir_version, a varint): tag byte 0x08.
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x08 && !name.endsWith(".zip") && !name.endsWith(".h5");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Model open(Path file, OpenOptions options) {
        return OnnxModel.open(file, options);
    }
}
