package io.filterscope.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.onnx.proto.OnnxModel;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Parses an ONNX file. The file is memory-mapped and parsed with aliasing, so the weights stay in the
 * mapped file: opening a large model costs little heap, and weights are decoded per layer on demand.
 */
final class OnnxFile {
    private OnnxFile() {
    }

    /** A parsed model and where its weights lie in the file. */
    record Parsed(OnnxModel.Model model, FileWeights weights) {
    }

    /** Parses {@code file}, failing with a one-line message for anything that is not an ONNX model. */
    static OnnxModel.Model read(Path file) {
        return parse(file).model();
    }

    /** {@link #read}, also locating the initializers' bytes in the file ({@link FileWeights}). */
    static Parsed parse(Path file) {
        MappedByteBuffer mapped;
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            if (size == 0) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": empty file, not an ONNX model; export the model again");
            }
            if (size > Integer.MAX_VALUE) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": larger than 2 GB; ONNX keeps such weights in external data files, save it that way");
            }
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        OnnxModel.Model model;
        try {
            // Through a ByteString so protobuf treats the mapping as immutable: only then does
            // aliasing keep bytes fields (raw_data) as views of the file instead of heap copies.
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(mapped).newCodedInput();
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            in.setRecursionLimit(256);
            model = OnnxModel.Model.parseFrom(in, ExtensionRegistryLite.getEmptyRegistry());
            in.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": not an ONNX model (the file is truncated or not a protobuf: "
                    + Messages.firstLine(e.getMessage()) + "); export the model again", e);
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot be read (" + e.getMessage() + ")", e);
        }
        if (model.getIrVersion() <= 0 || !model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": not an ONNX model (no IR version or no graph); give an .onnx file exported from PyTorch, Keras or another tool");
        }
        if (model.getGraph().getInputCount() == 0) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": the ONNX graph declares no inputs; nothing can be fed to it");
        }
        return new Parsed(model, FileWeights.scan(file, mapped, model));
    }
}
