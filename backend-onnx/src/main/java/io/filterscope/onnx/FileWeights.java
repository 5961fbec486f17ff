package io.filterscope.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.filterscope.onnx.proto.OnnxModel.Graph;
import io.filterscope.onnx.proto.OnnxModel.Model;
import io.filterscope.onnx.proto.OnnxModel.StringStringEntry;
import io.filterscope.onnx.proto.OnnxModel.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each of the graph's initializers keeps its {@code raw_data} in the model file, so that a
 * rewritten model (extra outputs, a gradient graph, a tail) can hand ONNX Runtime its weights as
 * external data that points back into the model file itself, instead of serialising a second copy of
 * them. A rewritten VGG-16 is then a few kilobytes instead of 553 MB of direct memory, and ONNX
 * Runtime reads the weights from the file as it does for a model loaded by path.
 *
 * <p>Only initializers of the top-level graph that hold {@code raw_data} are placed; the rest
 * (float_data, Constant nodes, initializers of subgraphs, data already external) are serialised as
 * before. An initializer is recognised by identity: protobuf messages are immutable and a rewrite
 * keeps the original's objects, so an initializer a rewrite made or changed is never mistaken for
 * one in the file.
 *
 * <p>ONNX Runtime reads those bytes by path when a session is made, possibly long after the model was
 * opened. If the file has changed since (replaced, rewritten: its size, modification time or identity
 * differ), the references could point at another model's bytes, so rewritten models are then
 * serialised whole again, from the model as it was parsed.
 */
final class FileWeights {
    private static final Logger LOG = LoggerFactory.getLogger(FileWeights.class);
    /** Below this, an initializer is serialised in place: an external reference would cost more than it saves. */
    private static final int MIN_EXTERNAL_BYTES = 1024;
    /** Tags of the length-delimited fields read: (field number << 3) | wire type 2. */
    private static final int MODEL_GRAPH = tag(7);
    private static final int GRAPH_INITIALIZER = tag(5);
    private static final int TENSOR_NAME = tag(8);
    private static final int TENSOR_RAW_DATA = tag(9);

    /** {@code [offset, length]} of an initializer's raw_data in the file, by the initializer object. */
    private final Map<Tensor, long[]> slices;
    private final String location;
    private final Path file;
    /** The file as it was scanned: size, modification time and identity; null when nothing is placed. */
    private final BasicFileAttributes scanned;
    private volatile boolean changed;

    private FileWeights(Map<Tensor, long[]> slices, String location, Path file, BasicFileAttributes scanned) {
        this.slices = slices;
        this.location = location;
        this.file = file;
        this.scanned = scanned;
    }

    /** Nothing placed: rewritten models are serialised whole. */
    static FileWeights none() {
        return new FileWeights(Map.of(), "", null, null);
    }

    /**
     * Finds the raw_data of {@code model}'s initializers in {@code file}'s bytes ({@code mapped}, the
     * bytes {@code model} was parsed from). Reads only tags and lengths; skips the weights themselves.
     * Any disagreement with the parsed model (a graph field given twice, say) places nothing.
     */
    static FileWeights scan(Path file, ByteBuffer mapped, Model model) {
        List<String> names = new ArrayList<>();
        List<long[]> found = new ArrayList<>();
        try {
            CodedInputStream in = CodedInputStream.newInstance(mapped.duplicate());
            in.setSizeLimit(Integer.MAX_VALUE);
            int graphs = 0;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag == MODEL_GRAPH) {
                    graphs++;
                    int limit = in.pushLimit(in.readRawVarint32());
                    scanGraph(in, names, found);
                    in.popLimit(limit);
                } else {
                    in.skipField(tag);
                }
            }
            if (graphs != 1) {
                return none();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: initializers not located in the file ({}); rewritten models carry their weights", file.getFileName(), e.toString());
            return none();
        }
        Graph g = model.getGraph();
        if (found.size() != g.getInitializerCount()) {
            return none();
        }
        Map<Tensor, long[]> slices = new IdentityHashMap<>();
        for (int i = 0; i < found.size(); i++) {
            Tensor t = g.getInitializer(i);
            long[] slice = found.get(i);
            if (!t.getName().equals(names.get(i))) {
                return none();
            }
            if (slice != null && t.getDataLocation() != Tensor.DataLocation.EXTERNAL && t.getRawData().size() == slice[1]
                    && slice[1] >= MIN_EXTERNAL_BYTES) {
                slices.put(t, slice);
            }
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return none();
        }
        return new FileWeights(slices, file.getFileName().toString(), file, attributes);
    }

    private static void scanGraph(CodedInputStream in, List<String> names, List<long[]> found) throws IOException {
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == GRAPH_INITIALIZER) {
                int limit = in.pushLimit(in.readRawVarint32());
                String name = "";
                long[] slice = null;
                for (int t = in.readTag(); t != 0; t = in.readTag()) {
                    if (t == TENSOR_NAME) {
                        name = in.readStringRequireUtf8();
                    } else if (t == TENSOR_RAW_DATA) {
                        int length = in.readRawVarint32();
                        slice = new long[] {in.getTotalBytesRead(), length};
                        in.skipRawBytes(length);
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(limit);
                names.add(name);
                found.add(slice);
            } else {
                in.skipField(tag);
            }
        }
    }

    /** How many initializers are placed in the file; for tests. */
    int placed() {
        return slices.size();
    }

    /**
     * {@code rewritten} with every initializer found in the file given as external data at its place
     * in the file (ONNX's {@code location}/{@code offset}/{@code length}), its bytes left out.
     * ONNX Runtime resolves {@code location} against the model's folder, which the session is given.
     */
    Model referencing(Model rewritten) {
        if (slices.isEmpty() || fileChanged()) {
            return rewritten;
        }
        Graph g = rewritten.getGraph();
        Graph.Builder b = null;
        for (int i = 0; i < g.getInitializerCount(); i++) {
            Tensor t = g.getInitializer(i);
            long[] slice = slices.get(t);
            if (slice == null) {
                continue;
            }
            if (b == null) {
                b = g.toBuilder();
            }
            b.setInitializer(i, t.toBuilder().clearRawData().setDataLocation(Tensor.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", location))
                    .addExternalData(entry("offset", Long.toString(slice[0])))
                    .addExternalData(entry("length", Long.toString(slice[1]))));
        }
        return b == null ? rewritten : rewritten.toBuilder().setGraph(b).build();
    }

    /** Whether the file on disk is no longer the one scanned; once changed, it stays so for this model. */
    private boolean fileChanged() {
        if (!changed) {
            try {
                BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class);
                changed = now.size() != scanned.size() || !now.lastModifiedTime().equals(scanned.lastModifiedTime())
                        || (scanned.fileKey() != null && !scanned.fileKey().equals(now.fileKey()));
            } catch (IOException e) {
                changed = true;
            }
            if (changed) {
                LOG.warn("{} changed on disk since it was opened; new sessions carry the weights read at open", file.getFileName());
            }
        }
        return changed;
    }

    private static int tag(int field) {
        return field << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    private static StringStringEntry entry(String key, String value) {
        return StringStringEntry.newBuilder().setKey(key).setValue(value).build();
    }
}
