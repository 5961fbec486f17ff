package io.filterscope.dl4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.io.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The input shape a DL4J zip carries beside the network, which DL4J itself does not record for a
 * network that starts with a convolution.
 *
 * <p>FilterScope writes it as JSON ({@value #ENTRY}: {@code {"inputShape":[1,28,28]}}). Zips saved
 * before that carry a Java-serialized {@code long[]} under {@code objects/filterscope.inputShape}
 * ({@code ModelSerializer.addObjectToFile}); those bytes come from whoever made the file, so they are
 * read only through an {@link ObjectInputFilter} that admits a {@code long[]} or {@code int[]} of a
 * few elements and nothing else, and bounds depth, references and bytes: a class outside that list is
 * refused before any object of it is built. DL4J's {@code ModelSerializer.getObjectFromFile} is not
 * used: it reads with no filter and checks the type only afterwards.
 */
final class StoredInputShape {
    /** The zip entry FilterScope writes. */
    static final String ENTRY = "filterscope/input-shape.json";
    /** Where {@code ModelSerializer.addObjectToFile(file, "filterscope.inputShape", …)} puts it. */
    static final String LEGACY_ENTRY = "objects/" + Dl4jBackend.INPUT_SHAPE_OBJECT;

    /** A shape is at most a few numbers; anything larger is not one and is not read into memory. */
    static final int MAX_ENTRY_BYTES = 4096;
    /**
     * The legacy entry is read up to this, so that its filter, which stops the stream at
     * {@link #MAX_ENTRY_BYTES}, sees the first foreign class and can name it.
     */
    private static final int MAX_LEGACY_READ = 64 * 1024;
    private static final int MAX_DIMS = 8;

    private StoredInputShape() {
    }

    /**
     * The stored shape, JSON first, then the legacy serialized {@code long[]}; empty when the zip has
     * neither.
     *
     * @throws FilterScopeException naming the file when an entry is there but is not a shape
     */
    static Optional<long[]> read(Path file, String name) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry json = zip.getEntry(ENTRY);
            if (json != null) {
                return Optional.of(fromJson(bounded(zip, json, MAX_ENTRY_BYTES, name), name));
            }
            ZipEntry legacy = zip.getEntry(LEGACY_ENTRY);
            if (legacy != null) {
                return Optional.of(fromSerialized(bounded(zip, legacy, MAX_LEGACY_READ, name), name));
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": the stored input shape cannot be read (" + Dl4jModel.firstLine(e.getMessage())
                    + "); save the model again", e);
        }
    }

    private static byte[] bounded(ZipFile zip, ZipEntry entry, int limit, String name) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": the stored input shape (" + entry.getName() + ") is larger than "
                        + limit + " bytes, so it is not a shape; " + howToStore());
            }
            return bytes;
        }
    }

    private static long[] fromJson(byte[] bytes, String name) {
        JsonNode dims;
        try {
            dims = new ObjectMapper().readTree(bytes).path("inputShape");
        } catch (IOException e) {
            throw notAShape(name, ENTRY + " is not JSON (" + Dl4jModel.firstLine(e.getMessage()) + ")", e);
        }
        if (!dims.isArray() || dims.isEmpty() || dims.size() > MAX_DIMS) {
            throw notAShape(name, ENTRY + " has no \"inputShape\" array of a few numbers", null);
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = dims.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong()) {
                throw notAShape(name, ENTRY + " holds " + d + " where a whole number belongs", null);
            }
            shape[i] = d.longValue();
        }
        return shape;
    }

    /** Reads the legacy entry: only {@code long[]} or {@code int[]}, checked before anything is built. */
    static long[] fromSerialized(byte[] bytes, String name) {
        AtomicReference<String> refused = new AtomicReference<>();
        Object stored;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(info -> admit(info, refused));
            stored = in.readObject();
        } catch (InvalidClassException e) {
            String what = refused.get() != null ? refused.get() : Dl4jModel.firstLine(e.getMessage());
            throw notAShape(name, LEGACY_ENTRY + " holds " + what + ", not a long[] of channels, height, width", e);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw notAShape(name, LEGACY_ENTRY + " cannot be read (" + Dl4jModel.firstLine(e.getMessage()) + ")", e);
        }
        if (stored instanceof long[] dims) {
            return dims.clone();
        }
        if (stored instanceof int[] dims) {
            return Arrays.stream(dims).asLongStream().toArray();
        }
        throw notAShape(name, LEGACY_ENTRY + " holds " + (stored == null ? "null" : "a " + stored.getClass().getSimpleName())
                + ", not a long[] of channels, height, width", null);
    }

    /**
     * The filter: one array of primitive integers at the top of the stream and nothing else. Called
     * by {@link ObjectInputStream} for each class, array and reference before it is read, so a
     * refusal stops the stream before a single object of a foreign class exists.
     */
    private static ObjectInputFilter.Status admit(ObjectInputFilter.FilterInfo info, AtomicReference<String> refused) {
        if (info.depth() > 1 || info.references() > 2 || info.streamBytes() > MAX_ENTRY_BYTES || info.arrayLength() > MAX_DIMS) {
            refused.compareAndSet(null, "more than one small array (depth " + info.depth() + ", " + info.references()
                    + " references, array length " + info.arrayLength() + ")");
            return ObjectInputFilter.Status.REJECTED;
        }
        Class<?> type = info.serialClass();
        if (type == null || type == long[].class || type == int[].class) {
            return ObjectInputFilter.Status.ALLOWED;
        }
        refused.compareAndSet(null, "a " + type.getName());
        return ObjectInputFilter.Status.REJECTED;
    }

    private static FilterScopeException notAShape(String name, String why, Throwable cause) {
        return new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": the stored input shape is unusable: " + why + "; " + howToStore(), cause);
    }

    static String howToStore() {
        return "store it again with Dl4jBackend.saveInputShape(file, c, h, w)";
    }

    /**
     * Writes {@code shape} into the zip as {@value #ENTRY}, dropping an older entry for it; the zip
     * is replaced atomically (a failure leaves it as it was).
     */
    static void write(Path zip, long[] shape) {
        String name = zip.getFileName() == null ? zip.toString() : zip.getFileName().toString();
        if (shape == null || shape.length == 0 || shape.length > MAX_DIMS || Arrays.stream(shape).anyMatch(d -> d <= 0)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "the input shape " + Arrays.toString(shape)
                    + " is not channels, height, width (e.g. 1, 28, 28) or one feature count");
        }
        byte[] json = ("{\"inputShape\":" + Arrays.toString(shape).replace(" ", "") + "}").getBytes(StandardCharsets.UTF_8);
        try (ZipFile source = new ZipFile(zip.toFile())) {
            AtomicFiles.write(zip, out -> {
                try (ZipOutputStream target = new ZipOutputStream(out)) {
                    Enumeration<? extends ZipEntry> entries = source.entries();
                    while (entries.hasMoreElements()) {
                        ZipEntry e = entries.nextElement();
                        if (e.getName().equals(ENTRY) || e.getName().equals(LEGACY_ENTRY)) {
                            continue;
                        }
                        target.putNextEntry(new ZipEntry(e.getName()));
                        try (InputStream in = source.getInputStream(e)) {
                            in.transferTo(target);
                        }
                        target.closeEntry();
                    }
                    target.putNextEntry(new ZipEntry(ENTRY));
                    target.write(json);
                    target.closeEntry();
                }
            });
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": cannot be read as a zip (" + Dl4jModel.firstLine(e.getMessage())
                    + "); save the network with ModelSerializer.writeModel first", e);
        }
    }
}
