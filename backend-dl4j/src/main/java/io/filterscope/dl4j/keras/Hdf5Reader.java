package io.filterscope.dl4j.keras;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.dataset.DatasetReader;
import io.jhdf.filter.FilterManager;
import io.jhdf.filter.PipelineFilterWithData;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * An HDF5 file read in pure Java (jhdf), never by the native HDF5 library: a damaged file from a
 * stranger then costs an exception, not a crashed JVM or a native loop no thread can interrupt
 * (docs/fuzzing.md). Every size the file declares is checked before anything of that size is
 * allocated, links (which would lead to other files) are refused, and every failure, whatever jhdf
 * or the JVM throws on a damaged file, becomes one {@link FilterScopeException} line naming the
 * file as the user gave it.
 *
 * <p>The methods mirror the part of DL4J's {@code Hdf5Archive} the Keras readers used: paths are
 * given as group names from the root, child names come in HDF5's name order.
 */
public final class Hdf5Reader implements AutoCloseable {
    /** An attribute (a model config) larger than this is not read: real ones are a few megabytes at most. */
    static final long MAX_ATTRIBUTE_BYTES = 64L << 20;
    /** Groups deeper than this are not followed: Keras nests a few levels; a cycle in a damaged file would not end. */
    static final int MAX_DEPTH = 32;
    /**
     * A chunk may declare more values than its dataset only up to this size (h5py's largest automatic
     * chunk): a resizable dataset's chunk may be larger than its data, a fixed one's never is.
     */
    static final long MAX_CHUNK_BEYOND_DATASET_BYTES = 1L << 20;
    /** The filters Keras (h5py) may have written: deflate, shuffle, Fletcher-32. Others are refused before decoding. */
    private static final Set<Integer> KNOWN_FILTERS = Set.of(1, 2, 3);

    static {
        // jhdf's own deflate inflates a chunk without limit (a decompression bomb fills the heap); this one stops at the chunk's size.
        FilterManager.addFilter(new BoundedInflate());
    }

    private final HdfFile h5;
    private final Path shownAs;
    private final long fileSize;

    /** One dataset's values as float, row-major, with its dimensions (rank 1 to 5). */
    public record Floats(float[] values, long[] shape) {
    }

    private Hdf5Reader(HdfFile h5, Path shownAs, long fileSize) {
        this.h5 = h5;
        this.shownAs = shownAs;
        this.fileSize = fileSize;
    }

    /**
     * Opens {@code h5} (which may be a temporary copy) and reports failures naming {@code shownAs}.
     *
     * @throws FilterScopeException NOT_A_MODEL when the file is not HDF5 that jhdf can read
     */
    public static Hdf5Reader open(Path h5, Path shownAs) {
        long size;
        try {
            size = Files.size(h5);
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, shownAs + ": cannot read (" + cause(e) + "); check the path and its permissions", e);
        }
        HdfFile file = guarded(shownAs, () -> new HdfFile(h5));
        try {
            // As the HDF5 library does on opening: a file shorter than its superblock says is truncated.
            long declared = guarded(shownAs, () -> {
                var superblock = file.getHdfBackingStorage().getSuperblock();
                return superblock.getBaseAddressByte() + superblock.getEndOfFileAddress();
            });
            if (declared > size) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, String.format("%s: the HDF5 file is truncated or damaged (it holds %,d of the "
                        + "%,d bytes its header declares); copy it again, or save the model again with model.save", shownAs, size, declared));
            }
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
        return new Hdf5Reader(file, shownAs, size);
    }

    /** Whether the node at {@code groups} (the root when none) has the attribute. */
    public boolean hasAttribute(String name, String... groups) {
        return guard(() -> node(groups).getAttributes().containsKey(name));
    }

    /** A string attribute (fixed or variable length, scalar or the first of an array). */
    public String readAttributeAsString(String name, String... groups) {
        return guard(() -> {
            Attribute a = node(groups).getAttribute(name);
            if (a == null) {
                throw new IllegalStateException("no attribute '" + name + "'");
            }
            Object data = attributeData(a);
            if (data instanceof String s) {
                return s;
            }
            if (data != null && data.getClass().isArray() && Array.getLength(data) > 0 && Array.get(data, 0) instanceof String s) {
                return s;
            }
            throw new IllegalStateException("attribute '" + name + "' is not a string");
        });
    }

    /**
     * The strings of an attribute: one for a scalar string, each element of a string array, none for an
     * empty array of any type (h5py writes an empty list, a layer without weights, as an empty float array).
     */
    public List<String> readAttributeAsStrings(String name, String... groups) {
        return guard(() -> {
            Attribute a = node(groups).getAttribute(name);
            if (a == null) {
                throw new IllegalStateException("no attribute '" + name + "'");
            }
            if (a.isEmpty() || a.getSize() == 0) {
                return List.<String>of();
            }
            Object data = attributeData(a);
            if (data instanceof String s) {
                return List.of(s);
            }
            if (data == null || !data.getClass().isArray()) {
                throw new IllegalStateException("attribute '" + name + "' is not a string");
            }
            List<String> strings = new ArrayList<>();
            for (int i = 0; i < Array.getLength(data); i++) {
                if (!(Array.get(data, i) instanceof String s)) {
                    throw new IllegalStateException("attribute '" + name + "' is not a string");
                }
                strings.add(s);
            }
            return strings;
        });
    }

    /** Whether {@code path} (group names from the root) leads to a group; false when any step is missing or not a group. */
    public boolean isGroup(String... path) {
        return guard(() -> {
            Node at = h5;
            for (String g : path) {
                if (!(at instanceof Group group) || (at = group.getChild(g)) == null) {
                    return false;
                }
                notALink(at);
            }
            return at instanceof Group;
        });
    }

    /** Names of the groups directly below {@code groups}, in name order. */
    public List<String> getGroups(String... groups) {
        return guard(() -> children(groups, true));
    }

    /** Names of the datasets directly below {@code groups}, in name order. */
    public List<String> getDataSets(String... groups) {
        return guard(() -> children(groups, false));
    }

    /** A numeric dataset of rank 1 to 5 as float values, its size checked before it is read. */
    public Floats readDataSet(String name, String... groups) {
        return guard(() -> {
            String[] path = java.util.Arrays.copyOf(groups, groups.length + 1);
            path[groups.length] = name;
            if (!(node(path) instanceof Dataset d)) {
                throw new IllegalStateException("'" + String.join("/", path) + "' is not a dataset");
            }
            int[] dims = d.getDimensions();
            if (dims.length < 1 || dims.length > 5) {
                // As DL4J's Hdf5Archive: Keras weights have rank 1 to 5.
                throw new IllegalStateException("cannot import weights with rank " + dims.length);
            }
            checkSize(d, dims);
            float[] values = toFloats(flatData(d, dims), d.getJavaType());
            long[] shape = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = dims[i];
            }
            if (values.length != elements(dims)) {
                throw new IllegalStateException("dataset '" + name + "' holds " + values.length + " values for its shape");
            }
            return new Floats(values, shape);
        });
    }

    private Object attributeData(Attribute a) {
        long bytes = a.getSizeInBytes();
        if (bytes < 0 || bytes > MAX_ATTRIBUTE_BYTES) {
            throw new IllegalStateException(String.format("attribute '%s' declares %,d bytes, more than the %,d a Keras file holds",
                    a.getName(), bytes, MAX_ATTRIBUTE_BYTES));
        }
        return a.getData();
    }

    /**
     * Refuses, before anything of that size is allocated, a dataset whose declared size the file cannot
     * hold (unfiltered) or the heap cannot (filtered); a filter Keras does not write; and a chunk that
     * declares more than its dataset (past {@value #MAX_CHUNK_BEYOND_DATASET_BYTES} bytes), which jhdf
     * would allocate whole, whatever the dataset's size.
     */
    private void checkSize(Dataset d, int[] dims) {
        long count = elements(dims);
        int elementSize = Math.max(1, d.getDataType().getSize());
        long bytes = Math.multiplyExact(count, elementSize);
        List<PipelineFilterWithData> filters = d.getFilters();
        boolean filtered = !filters.isEmpty();
        long heap = heapBudget();
        if (count > Integer.MAX_VALUE - 8 || (!filtered && bytes > fileSize) || bytes > heap) {
            throw new IllegalStateException(String.format("dataset '%s' declares %,d values (%,d bytes), more than the %s",
                    d.getPath(), count, bytes, !filtered && bytes > fileSize ? String.format("%,d-byte file holds", fileSize)
                            : String.format("%,d MB this JVM can read at once; run Java with a larger -Xmx", heap >> 20)));
        }
        for (PipelineFilterWithData f : filters) {
            if (!KNOWN_FILTERS.contains(f.getId())) {
                throw new IllegalStateException(String.format("dataset '%s' is compressed with filter %d (%s), which Keras does not write",
                        d.getPath(), f.getId(), f.getName()));
            }
        }
        if (d instanceof ChunkedDataset c) {
            int[] chunk = c.getChunkDimensions();
            if (chunk.length != dims.length) {
                throw new IllegalStateException(String.format("dataset '%s' has chunks of rank %d for its rank %d", d.getPath(), chunk.length, dims.length));
            }
            long chunkBytes = Math.multiplyExact(elements(chunk), elementSize);
            if (chunkBytes == 0 && count > 0) {
                throw new IllegalStateException(String.format("dataset '%s' declares empty chunks", d.getPath()));
            }
            if (chunkBytes > Math.max(bytes, MAX_CHUNK_BEYOND_DATASET_BYTES)) {
                throw new IllegalStateException(String.format("dataset '%s' declares chunks of %,d bytes, more than its %,d bytes of values",
                        d.getPath(), chunkBytes, bytes));
            }
        }
    }

    /** The most one read may hold: a quarter of the heap (jhdf's bytes, its array and the float copy are held at once). */
    private static long heapBudget() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    /**
     * The dataset's values as a flat array. A filtered (compressed) dataset is decoded here one chunk
     * at a time on this thread, each chunk's inflation bounded by the size the chunk declares: jhdf's
     * own whole-dataset read decodes chunks on other threads, where no bound for this dataset is known.
     */
    private Object flatData(Dataset d, int[] dims) {
        if (!(d instanceof ChunkedDataset c) || d.getFilters().isEmpty() || elements(dims) == 0) {
            return d.getDataFlat();
        }
        int[] chunk = c.getChunkDimensions();
        int elementSize = d.getDataType().getSize();
        int chunkBytes = Math.toIntExact(elements(chunk) * elementSize);
        byte[] all = new byte[Math.toIntExact(elements(dims) * elementSize)];
        int[] origin = new int[dims.length];
        do {
            byte[] decoded = BoundedInflate.withLimit(chunkBytes, () -> c.getDecompressedChunk(origin.clone()));
            if (decoded.length != chunkBytes) {
                throw new IllegalStateException(String.format("a chunk of dataset '%s' decodes to %,d bytes, not the %,d its chunk size declares",
                        d.getPath(), decoded.length, chunkBytes));
            }
            copyChunk(decoded, chunk, origin, dims, elementSize, all);
        } while (nextChunk(origin, chunk, dims));
        return DatasetReader.readDataset(d.getDataType(), ByteBuffer.wrap(all), Math.toIntExact(elements(dims)), h5.getHdfBackingStorage());
    }

    /** Moves {@code origin} to the next chunk in row-major order; false after the last. */
    private static boolean nextChunk(int[] origin, int[] chunk, int[] dims) {
        for (int i = dims.length - 1; i >= 0; i--) {
            origin[i] += chunk[i];
            if (origin[i] < dims[i]) {
                return true;
            }
            origin[i] = 0;
        }
        return false;
    }

    /** Copies the part of one decoded chunk at {@code origin} that lies inside the dataset into the row-major {@code all}. */
    private static void copyChunk(byte[] decoded, int[] chunk, int[] origin, int[] dims, int elementSize, byte[] all) {
        int last = dims.length - 1;
        int rowLength = Math.min(chunk[last], dims[last] - origin[last]);
        long rows = elements(java.util.Arrays.copyOf(chunk, last));
        for (long row = 0; row < rows; row++) {
            long rest = row;
            long target = 0;
            boolean inside = true;
            long[] at = new long[last];
            for (int i = last - 1; i >= 0; i--) {
                at[i] = rest % chunk[i];
                rest /= chunk[i];
            }
            for (int i = 0; i < last && inside; i++) {
                long coordinate = origin[i] + at[i];
                inside = coordinate < dims[i];
                target = target * dims[i] + coordinate;
            }
            if (inside) {
                target = target * dims[last] + origin[last];
                System.arraycopy(decoded, Math.toIntExact(row * chunk[last] * elementSize), all, Math.toIntExact(target * elementSize),
                        rowLength * elementSize);
            }
        }
    }

    private static long elements(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalStateException("negative dimension " + d);
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static float[] toFloats(Object flat, Class<?> type) {
        if (flat instanceof float[] f) {
            return f;
        }
        if (flat != null && flat.getClass().isArray() && Array.getLength(flat) == 0) {
            return new float[0];
        }
        if (flat == null || !flat.getClass().isArray() || !(Array.get(flat, 0) instanceof Number)) {
            throw new IllegalStateException("weights of type " + (type == null ? "unknown" : type.getSimpleName()) + " are not numbers");
        }
        int n = Array.getLength(flat);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = ((Number) Array.get(flat, i)).floatValue();
        }
        return out;
    }

    private List<String> children(String[] groups, boolean wantGroups) {
        if (!(node(groups) instanceof Group g)) {
            throw new IllegalStateException("'" + String.join("/", groups) + "' is not a group");
        }
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Node> e : g.getChildren().entrySet()) {
            Node child = notALink(e.getValue());
            if (wantGroups ? child.isGroup() : child instanceof Dataset) {
                names.add(e.getKey());
            }
        }
        // HDF5's own listing (by index) is in name order; jhdf's is in storage order.
        names.sort(null);
        return names;
    }

    private Node node(String... groups) {
        if (groups.length > MAX_DEPTH) {
            throw new IllegalStateException("path deeper than " + MAX_DEPTH + " levels");
        }
        Node node = h5;
        for (String g : groups) {
            if (!(node instanceof Group group)) {
                throw new IllegalStateException("'" + node.getPath() + "' is not a group");
            }
            node = group.getChild(g);
            if (node == null) {
                throw new IllegalStateException("no group '" + g + "'");
            }
            notALink(node);
        }
        return node;
    }

    /**
     * Refuses soft and external links before they are followed: Keras never writes them, and an
     * external link would make jhdf open another file named by this one.
     */
    private static Node notALink(Node node) {
        if (node.isLink()) {
            throw new IllegalStateException("'" + node.getPath() + "' is a link, which Keras files do not hold");
        }
        return node;
    }

    private <T> T guard(Supplier<T> read) {
        return guarded(shownAs, read);
    }

    /**
     * Runs a read, turning whatever a damaged file makes jhdf (or the JVM) throw into one line:
     * jhdf's own exceptions, buffer and index errors, arithmetic overflow, a recursion that does not
     * end (StackOverflowError) and an allocation the file talked jhdf into (OutOfMemoryError, whose
     * memory is free again once it is thrown).
     */
    private static <T> T guarded(Path shownAs, Supplier<T> read) {
        try {
            return read.get();
        } catch (FilterScopeException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, shownAs + ": the HDF5 content cannot be read (" + cause(e)
                    + "); the file is truncated or damaged: copy it again, or save the model again with model.save", e);
        }
    }

    /** The exception's message, control characters escaped (names from the file may hold any), at most 200 characters. */
    static String cause(Throwable e) {
        String raw = e.getMessage();
        String m = e instanceof StackOverflowError ? "structure nested without end"
                : raw == null || raw.isBlank() ? e.getClass().getSimpleName() : raw.strip();
        if (e instanceof OutOfMemoryError) {
            m = "the file declares more than memory holds: " + m;
        }
        StringBuilder b = new StringBuilder();
        m.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029 || c == 0x85) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.length() > 200 ? b.substring(0, 200) + "…" : b.toString();
    }

    @Override
    public void close() {
        try {
            h5.close();
        } catch (RuntimeException e) {
            // Closing a read-only file frees the channel; nothing was written that could be lost.
        }
    }
}
