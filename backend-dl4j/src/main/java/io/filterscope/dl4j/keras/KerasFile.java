package io.filterscope.dl4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One opened Keras 3 file, either form: the model config and the weights of each layer. The weights
 * stay in HDF5 (for a {@code .keras} zip, in a temporary copy of {@code model.weights.h5} that
 * {@link #close()} deletes) and are read one layer at a time, in Java ({@link Hdf5Reader}): the
 * native HDF5 library never sees a Keras 3 file, so a damaged one cannot crash or hang the JVM.
 */
final class KerasFile implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HDF5_MAGIC = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private final Path file;
    private final JsonNode modelConfig;
    private final Hdf5Reader weights;
    private final Path tempCopy;
    private final Layout layout;
    /** For the zip form: Keras layer name → group under {@code layers/}. */
    private final Map<String, String> groupByLayer;
    /** For the legacy form: a nested Sequential model's layer → that model's name (its weights sit below it). */
    private final Map<String, String> nestedOwner = new HashMap<>();

    /** Where a form keeps a layer's variables. */
    private enum Layout { ZIP_VARS, LEGACY_H5 }

    private KerasFile(Path file, JsonNode modelConfig, Hdf5Reader weights, Path tempCopy, Layout layout) {
        this.file = file;
        this.modelConfig = modelConfig;
        this.weights = weights;
        this.tempCopy = tempCopy;
        this.layout = layout;
        this.groupByLayer = layout == Layout.ZIP_VARS ? zipGroups() : Map.of();
        for (JsonNode layer : modelConfig.path("config").path("layers")) {
            if (layer.path("class_name").asText().equals("Sequential")) {
                String owner = layer.path("config").path("name").asText();
                layer.path("config").path("layers").forEach(inner -> nestedOwner.put(inner.path("config").path("name").asText(), owner));
            }
        }
    }

    /** True for a Keras 3 {@code .keras} zip or a Keras 3 legacy HDF5 file; never throws. */
    static boolean isKeras3(Path file) {
        try {
            byte[] head = head(file);
            if (startsWith(head, ZIP_MAGIC)) {
                try (ZipFile zip = new ZipFile(file.toFile())) {
                    ZipEntry meta = zip.getEntry("metadata.json");
                    if (meta == null || zip.getEntry("config.json") == null) {
                        return false;
                    }
                    try (InputStream in = zip.getInputStream(meta)) {
                        return isVersion3(JSON.readTree(in).path("keras_version").asText(""));
                    }
                }
            }
            if (startsWith(head, HDF5_MAGIC)) {
                try (Hdf5Reader h5 = Hdf5Reader.open(file, file)) {
                    return h5.hasAttribute("keras_version") && isVersion3(h5.readAttributeAsString("keras_version"));
                }
            }
            return false;
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            return false;
        }
    }

    /** Opens either form; FilterScopeException naming the file for anything that is not a readable Keras 3 file. */
    static KerasFile open(Path file) {
        byte[] head;
        try {
            head = head(file);
        } catch (NoSuchFileException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": no such file; give the path of a Keras 3 .keras or .h5 file");
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot read (" + Messages.cause(e) + "); check the path and its permissions", e);
        }
        if (startsWith(head, ZIP_MAGIC)) {
            return openZip(file);
        }
        if (startsWith(head, HDF5_MAGIC)) {
            return openH5(file);
        }
        throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": neither a .keras zip nor an HDF5 file; save the model with Keras 3's model.save(\"model.keras\")");
    }

    private static KerasFile openZip(Path file) {
        Path temp = null;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            JsonNode metadata = readEntry(zip, "metadata.json", file);
            String version = metadata.path("keras_version").asText("");
            if (!isVersion3(version)) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": saved by Keras " + (version.isEmpty() ? "of unknown version" : version)
                        + ", not Keras 3; open it with the Keras 1/2 import or save it again with Keras 3");
            }
            JsonNode config = readEntry(zip, "config.json", file);
            ZipEntry weightsEntry = zip.getEntry("model.weights.h5");
            if (weightsEntry == null) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": has no model.weights.h5 (a sharded or weights-less save?); save the whole model again with model.save(\"model.keras\")");
            }
            // HDF5 reads files, not streams: copy the weights out, delete the copy on close.
            temp = Files.createTempFile("filterscope-keras3-", ".weights.h5");
            // Gone even when the JVM is stopped (Ctrl-C) while the model is open.
            temp.toFile().deleteOnExit();
            long declared = weightsEntry.getSize();
            long usable = Files.getFileStore(temp).getUsableSpace();
            if (declared > usable) {
                throw new FilterScopeException(String.format("%s: model.weights.h5 unpacks to %,d MB, more than the %,d MB free in %s; "
                        + "free some space or point -Djava.io.tmpdir elsewhere", file, declared >> 20, usable >> 20, temp.getParent()));
            }
            try (InputStream in = zip.getInputStream(weightsEntry);
                 java.io.OutputStream out = Files.newOutputStream(temp)) {
                // No more than the zip declares: an entry that inflates further (a zip bomb) would fill the disk.
                if (in.transferTo(new BoundedOutput(out, declared)) != declared) {
                    throw new FilterScopeException(file + ": model.weights.h5 is shorter than the zip declares; the file is damaged");
                }
            }
            Hdf5Reader archive = Hdf5Reader.open(temp, file);
            try {
                return new KerasFile(file, config, archive, temp, Layout.ZIP_VARS);
            } catch (RuntimeException e) {
                archive.close();
                throw e;
            }
        } catch (ZipException | java.io.EOFException e) {
            deleteQuietly(temp);
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": not a complete .keras zip (" + Messages.cause(e) + "); the file may be truncated, copy or save it again", e);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot read the .keras zip (" + Messages.cause(e) + "); the file may be truncated, copy or save it again", e);
        } catch (RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    private static KerasFile openH5(Path file) {
        Hdf5Reader archive = Hdf5Reader.open(file, file);
        try {
            String version = archive.hasAttribute("keras_version") ? archive.readAttributeAsString("keras_version") : "";
            if (version.isEmpty() && !archive.hasAttribute("model_config") && archive.getGroups().contains("layers")) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": holds weights only (a .weights.h5 from model.save_weights); "
                        + "save the whole model with model.save(\"model.keras\")");
            }
            if (!isVersion3(version)) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, file + ": saved by Keras " + (version.isEmpty() ? "of unknown version" : version)
                        + ", not Keras 3; open it with DL4J's Keras 1/2 import or save it again with Keras 3");
            }
            if (!archive.hasAttribute("model_config")) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": holds weights only (no model_config attribute); save the whole model with model.save(...)");
            }
            JsonNode config = JSON.readTree(archive.readAttributeAsString("model_config"));
            return new KerasFile(file, config, archive, null, Layout.LEGACY_H5);
        } catch (FilterScopeException e) {
            archive.close();
            throw e;
        } catch (Exception e) {
            archive.close();
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": cannot read the Keras model config (" + Messages.cause(e) + "); save the model again with Keras 3", e);
        }
    }

    private static JsonNode readEntry(ZipFile zip, String name, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": has no " + name + ", so it is not a Keras 3 .keras file; save the model with model.save(\"model.keras\")");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return JSON.readTree(in);
        }
    }

    Path file() {
        return file;
    }

    /** The top-level model config: {@code {"class_name": "Sequential" | "Functional", "config": {...}}}. */
    JsonNode modelConfig() {
        return modelConfig;
    }

    /**
     * The variables of one layer, by Keras variable name. The zip form stores them by position
     * ({@code vars/0..n}, in the layer's {@code weights} order), so {@code names} says what each
     * position is; the legacy form stores them by name.
     */
    Map<String, INDArray> weights(KerasLayer layer, List<String> names) {
        return weights(layer, names, 0);
    }

    /**
     * As {@link #weights(KerasLayer, List)} for a layer that stores {@code unused} more variables after
     * {@code names}, which are not read (Normalization's scalar {@code count}).
     */
    Map<String, INDArray> weights(KerasLayer layer, List<String> names, int unused) {
        try {
            return layout == Layout.ZIP_VARS ? zipWeights(layer, names, unused) : h5Weights(layer, names, unused);
        } catch (FilterScopeException e) {
            throw e;
        } catch (Exception e) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": cannot read the weights of layer '" + layer.name() + "' ("
                    + Messages.cause(e) + "); the file may be damaged, save it again", e);
        }
    }

    private Map<String, INDArray> zipWeights(KerasLayer layer, List<String> names, int unused) throws Exception {
        String group = groupByLayer.get(layer.name());
        String[] vars = group == null ? null : ("layers/" + group + "/vars").split("/");
        List<String> sets = group == null ? List.of() : weights.getDataSets(vars);
        if (sets.size() != names.size() + unused) {
            throw missing(layer, names, sets.size());
        }
        Map<String, INDArray> out = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), array(weights.readDataSet(Integer.toString(i), vars)));
        }
        return out;
    }

    private Map<String, INDArray> h5Weights(KerasLayer layer, List<String> names, int unused) throws Exception {
        Map<String, INDArray> found = new HashMap<>();
        String owner = nestedOwner.get(layer.name());
        List<String> group = null;
        if (owner != null && weights.getGroups("model_weights").contains(owner)) {
            // Keras writes a nested model's layers as <model>/<layer>/… or <model>/<model>/<layer>/….
            if (weights.getGroups("model_weights", owner).contains(layer.name())) {
                group = List.of("model_weights", owner, layer.name());
            } else if (weights.getGroups("model_weights", owner).contains(owner)
                    && weights.getGroups("model_weights", owner, owner).contains(layer.name())) {
                group = List.of("model_weights", owner, owner, layer.name());
            }
        } else if (weights.getGroups("model_weights").contains(layer.name())) {
            group = List.of("model_weights", layer.name());
        }
        if (group != null) {
            collect(found, new ArrayList<>(group), names::contains);
            if (found.isEmpty() && names.size() == 1) {
                // A weight added without a name (keras.applications' LayerScale) is "variable", "variable_1", … here.
                collect(found, new ArrayList<>(group), n -> n.matches("variable(_\\d+)?"));
                if (found.size() == 1) {
                    INDArray only = found.values().iterator().next();
                    found.clear();
                    found.put(names.get(0), only);
                }
            }
        }
        if (!found.keySet().containsAll(names) || found.size() != names.size()) {
            throw missing(layer, names, found.size());
        }
        return found;
    }

    /** Datasets anywhere below the group; Keras nests them as {@code <layer>/<model>/<layer>/kernel}. */
    private void collect(Map<String, INDArray> into, List<String> groups, java.util.function.Predicate<String> wanted) throws Exception {
        String[] path = groups.toArray(String[]::new);
        for (String set : weights.getDataSets(path)) {
            // Keras 2 wrote "kernel:0"; Keras 3 writes "kernel".
            String name = set.endsWith(":0") ? set.substring(0, set.length() - 2) : set;
            if (wanted.test(name)) {
                into.put(name, array(weights.readDataSet(set, path)));
            }
        }
        for (String child : weights.getGroups(path)) {
            List<String> deeper = new ArrayList<>(groups);
            deeper.add(child);
            collect(into, deeper, wanted);
        }
    }

    /** As DL4J's Hdf5Archive made them: float, row-major, of the dataset's shape. */
    private static INDArray array(Hdf5Reader.Floats floats) {
        return Nd4j.create(floats.values(), floats.shape(), 'c');
    }

    private FilterScopeException missing(KerasLayer layer, List<String> names, int found) {
        return new FilterScopeException(ErrorKind.NOT_A_MODEL, file + ": layer " + layer.className() + " '" + layer.name() + "' needs weights "
                + names + " but the file has " + found + " for it; save the complete model again with Keras 3");
    }

    /**
     * Maps layer names to their groups under {@code layers/}. Keras names a group after the layer's
     * class (conv2d, conv2d_1, …) and records the layer's own name in the {@code vars} group's
     * {@code name} attribute; older Keras 3 releases did not, so the class-based names are
     * recomputed in layer order as a fallback.
     */
    private Map<String, String> zipGroups() {
        Map<String, String> byName = new HashMap<>();
        collectGroups(modelConfig, "", byName);
        return byName;
    }

    /**
     * The groups of one model's layers ({@code prefix} empty for the top model, else the nested
     * model's group path); a nested Sequential model's layers sit under {@code <its group>/layers/}.
     */
    private void collectGroups(JsonNode model, String prefix, Map<String, String> byName) {
        String[] base = prefix.isEmpty() ? new String[] {"layers"} : ("layers/" + prefix + "/layers").split("/");
        List<String> groups = weights.getGroups(base);
        Map<String, String> here = new HashMap<>();
        for (String group : groups) {
            try {
                String[] vars = java.util.stream.Stream.concat(Arrays.stream(base), java.util.stream.Stream.of(group, "vars")).toArray(String[]::new);
                String[] owner = Arrays.copyOf(vars, vars.length - 1);
                if (weights.getGroups(owner).contains("vars") && weights.hasAttribute("name", vars)) {
                    here.put(weights.readAttributeAsString("name", vars), group);
                }
            } catch (Exception e) {
                // no name recorded: the fallback below decides
            }
        }
        classBasedGroups(model, groups).forEach((name, group) -> {
            if (!here.containsKey(name) && !here.containsValue(group)) {
                here.put(name, group);
            }
        });
        here.forEach((name, group) -> byName.put(name, prefix.isEmpty() ? group : prefix + "/layers/" + group));
        for (JsonNode layer : model.path("config").path("layers")) {
            String name = layer.path("config").path("name").asText();
            if (layer.path("class_name").asText().equals("Sequential") && here.containsKey(name)) {
                collectGroups(layer, byName.get(name), byName);
            }
        }
    }

    /** What Keras' saving_lib calls each layer's group: its class in snake case, _1, _2… on repeats, in layer order. */
    static Map<String, String> classBasedGroups(JsonNode modelConfig, List<String> existing) {
        Map<String, String> byName = new HashMap<>();
        Map<String, Integer> used = new HashMap<>();
        for (JsonNode layer : modelConfig.path("config").path("layers")) {
            String base = snakeCase(layer.path("class_name").asText());
            int n = used.merge(base, 1, Integer::sum) - 1;
            String group = n == 0 ? base : base + "_" + n;
            if (existing.contains(group)) {
                byName.put(layer.path("config").path("name").asText(), group);
            }
        }
        return byName;
    }

    /** Layer name → its group under {@code layers/} in the zip form (empty for the legacy form). */
    Map<String, String> weightGroups() {
        return Map.copyOf(groupByLayer);
    }

    /** The group names under {@code layers/} in the zip form. */
    List<String> layerGroups() {
        return layout == Layout.ZIP_VARS ? weights.getGroups("layers") : List.of();
    }

    /** Keras' {@code naming.to_snake_case}: Conv2DTranspose → conv2d_transpose. */
    static String snakeCase(String className) {
        String s = className.replaceAll("\\W+", "").replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static boolean isVersion3(String version) {
        return version.startsWith("3.");
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(8);
        }
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(Arrays.copyOf(head, magic.length), magic);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    /** The temporary copy of a {@code .keras} zip's weights that {@link #close()} deletes; null for an HDF5 file. */
    Path tempCopy() {
        return tempCopy;
    }

    @Override
    public void close() {
        weights.close();
        deleteQuietly(tempCopy);
    }

    /** Refuses the byte past {@code limit}. */
    private static final class BoundedOutput extends java.io.FilterOutputStream {
        private final long limit;
        private long written;

        BoundedOutput(java.io.OutputStream out, long limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (written + len > limit) {
                throw new IOException("model.weights.h5 inflates past the " + limit + " bytes the zip declares (a zip bomb or a damaged file)");
            }
            written += len;
            out.write(b, off, len);
        }
    }
}
