package io.filterscope.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.Names;
import io.filterscope.io.OutputFolder;
import io.filterscope.model.LayerInfo;
import io.filterscope.render.Png;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Everything a command will write, held in memory until all of it is computed; then written in one
 * go, atomically file by file, with {@code index.json} last. Nothing is written when any input is
 * bad, and no file overwrites an input.
 */
final class OutputPlan {
    static final String INDEX = "index.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final List<Path> inputs;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Set<String> stems = new HashSet<>();

    /**
     * @param dir    the output folder (-o)
     * @param inputs every file the command reads; none of them may be overwritten
     */
    OutputPlan(Path dir, Collection<Path> inputs) {
        this.dir = dir;
        this.inputs = List.copyOf(inputs);
    }

    static ObjectMapper json() {
        return JSON;
    }

    /**
     * Checks, without creating anything, that {@code dir} is or can become a writable folder, so a
     * command fails before any expensive work.
     */
    static void checkWritable(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs)) {
            if (!Files.isDirectory(abs)) {
                throw new FilterScopeException(ErrorKind.CANNOT_WRITE, dir + ": exists and is not a folder; give -o a folder to write to");
            }
            if (!Files.isWritable(abs)) {
                throw new FilterScopeException(ErrorKind.CANNOT_WRITE, dir + ": cannot write to this folder; check its permissions");
            }
            return;
        }
        Path p = abs.getParent();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            throw new FilterScopeException(ErrorKind.CANNOT_WRITE, dir + ": cannot create this folder");
        }
        if (!Files.isDirectory(p)) {
            throw new FilterScopeException(ErrorKind.CANNOT_WRITE, dir + ": cannot create this folder because " + p + " is a file, not a folder");
        }
        if (!Files.isWritable(p)) {
            throw new FilterScopeException(ErrorKind.CANNOT_WRITE, dir + ": cannot create this folder in " + p + "; check its permissions");
        }
    }

    /**
     * A file-name stem for a layer: its sanitised name, made unique within this plan (case-insensitively,
     * for file systems that ignore case) by a numeric suffix.
     */
    String stem(String layerName) {
        String base = Names.sanitize(layerName);
        String s = base;
        for (int k = 2; !stems.add(s.toLowerCase(Locale.ROOT)) || s.equalsIgnoreCase("index"); k++) {
            s = base + "_" + k;
        }
        return s;
    }

    /**
     * Plans one layer's files, {@code STEM.KIND.png} with its grid and, with {@code npy},
     * {@code STEM.KIND.npy} with its values, and records them in a new entry of {@code entries}
     * (layer, node, op, tensor, shape, files).
     */
    void addLayer(ArrayNode entries, LayerInfo layer, String tensor, String kind, BufferedImage grid, Tensor values, boolean npy) {
        String stem = stem(layer.name());
        ObjectNode e = entries.addObject();
        e.put("layer", layer.name());
        e.put("node", layer.nodeName());
        e.put("op", layer.op());
        e.put("tensor", tensor);
        ArrayNode shape = e.putArray("shape");
        for (long d : values.shape().toArray()) {
            shape.add(d);
        }
        ArrayNode names = e.putArray("files");
        String png = stem + "." + kind + ".png";
        add(png, Png.encode(grid));
        names.add(png);
        if (npy) {
            String n = stem + "." + kind + ".npy";
            add(n, Npy.toBytes(values));
            names.add(n);
        }
    }

    /** The summary line of a command that wrote {@code grids} grids, e.g. "wrote 3 filter grids and 3 .npy files to out". */
    static String summary(int grids, String what, boolean npy, Path output) {
        String plural = grids == 1 ? "" : "s";
        return "wrote " + grids + " " + what + " grid" + plural + (npy ? " and " + grids + " .npy file" + plural : "") + " to " + output;
    }

    /** Plans a file; names must be unique. */
    void add(String fileName, byte[] bytes) {
        if (fileName.equals(INDEX) || files.putIfAbsent(fileName, bytes) != null) {
            throw new IllegalStateException("file planned twice: " + fileName);
        }
    }

    int fileCount() {
        return files.size();
    }

    /**
     * Writes every planned file and then {@code index.json}.
     *
     * @return the number of files written, index.json included
     */
    int write(ObjectNode index) {
        byte[] indexBytes;
        try {
            indexBytes = JSON.writeValueAsBytes(index);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode index.json", e);
        }
        Map<String, byte[]> all = new LinkedHashMap<>(files);
        all.put(INDEX, indexBytes);
        for (String name : all.keySet()) {
            Path target = dir.resolve(name);
            for (Path input : inputs) {
                if (same(target, input)) {
                    throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, target + ": is an input of this command and would be overwritten;"
                            + " give -o another folder");
                }
            }
        }
        checkWritable(dir);
        List<Path> created = new ArrayList<>();
        try {
            OutputFolder folder = OutputFolder.prepare(dir, inputs);
            for (Map.Entry<String, byte[]> e : all.entrySet()) {
                Path target = folder.resolve(e.getKey());
                boolean existed = Files.exists(target);
                folder.write(e.getKey(), e.getValue());
                if (!existed) {
                    created.add(target);
                }
            }
        } catch (RuntimeException e) {
            // Leave no half-written result behind: remove what this run created.
            for (Path p : created) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // keep the original error
                }
            }
            throw e;
        }
        return all.size();
    }

    private static boolean same(Path a, Path b) {
        Path x = a.toAbsolutePath().normalize();
        Path y = b.toAbsolutePath().normalize();
        if (x.equals(y)) {
            return true;
        }
        try {
            return Files.exists(x) && Files.exists(y) && Files.isSameFile(x, y);
        } catch (IOException e) {
            return false;
        }
    }
}
