package io.filterscope.dl4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.dl4j.keras.Hdf5Reader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.ZipFile;

/**
 * What a Keras file says about its model before any layer is built: the Keras version, the model
 * class and the input shape. Read from {@code config.json}/{@code metadata.json} in a {@code .keras}
 * zip, or the {@code model_config}/{@code keras_version} attributes of an HDF5 file.
 *
 * @param file         the file
 * @param kerasVersion e.g. "2.2.4", "3.15.1"; empty when the file does not say
 * @param config       the model configuration
 * @param native3      whether the file is a Keras 3 {@code .keras} zip
 */
record KerasConfig(Path file, String kerasVersion, JsonNode config, boolean native3) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static KerasConfig read(Path file) {
        String name = file.getFileName().toString();
        FileKind kind = FileKind.sniff(file).orElse(FileKind.OTHER_ZIP);
        return kind == FileKind.KERAS_ZIP ? readZip(file, name) : readHdf5(file, name);
    }

    private static KerasConfig readZip(Path file, String name) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            var entry = zip.getEntry("config.json");
            if (entry == null) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": has no config.json, so the network it holds is not"
                        + " described; save the model again with model.save(\"model.keras\")");
            }
            JsonNode config;
            try (InputStream in = zip.getInputStream(entry)) {
                config = JSON.readTree(in);
            }
            String version = "3";
            var meta = zip.getEntry("metadata.json");
            if (meta != null) {
                try (InputStream in = zip.getInputStream(meta)) {
                    version = JSON.readTree(in).path("keras_version").asText("3");
                }
            }
            return new KerasConfig(file, version, config, true);
        } catch (FilterScopeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": not a readable Keras .keras file (" + Dl4jModel.firstLine(e.getMessage())
                    + "); save the model again with model.save", e);
        }
    }

    /**
     * The config of an HDF5 file, read in Java ({@link Hdf5Reader}) like the rest of a Keras file: the
     * version decides between the Keras 1/2 import and the Keras 3 reader.
     */
    private static KerasConfig readHdf5(Path file, String name) {
        try (Hdf5Reader archive = Hdf5Reader.open(file, Path.of(name))) {
            if (!archive.hasAttribute("model_config")) {
                throw new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": an HDF5 file but not a Keras model (no model_config; weights only?); "
                        + "save the whole model with model.save, not save_weights");
            }
            JsonNode config = JSON.readTree(archive.readAttributeAsString("model_config"));
            String version = archive.hasAttribute("keras_version") ? archive.readAttributeAsString("keras_version") : "";
            return new KerasConfig(file, version, config, false);
        } catch (FilterScopeException e) {
            throw e;
        } catch (Exception e) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, name + ": the Keras configuration cannot be read (" + Dl4jModel.firstLine(e.getMessage())
                    + "); save the model again with model.save", e);
        }
    }

    boolean isKeras3() {
        return native3 || kerasVersion.startsWith("3");
    }

    /** "Sequential", "Functional", "Model". */
    String modelClass() {
        return config.path("class_name").asText("");
    }

    /** "keras 2.2.4", or "keras" when the file does not say. */
    String producer() {
        return kerasVersion.isEmpty() ? "keras" : "keras " + kerasVersion;
    }

    /** The input as channels × height × width (or one feature count), when the configuration declares it. */
    Optional<long[]> inputShape() {
        JsonNode shape = null;
        String dataFormat = "channels_last";
        for (JsonNode layer : config.path("config").path("layers")) {
            JsonNode c = layer.path("config");
            if (shape == null) {
                for (String key : new String[] {"batch_shape", "batch_input_shape"}) {
                    if (c.path(key).isArray()) {
                        shape = c.path(key);
                        break;
                    }
                }
            }
            if (c.has("data_format")) {
                dataFormat = c.path("data_format").asText(dataFormat);
                break;
            }
        }
        if (shape == null && config.path("config").path("build_input_shape").isArray()) {
            shape = config.path("config").path("build_input_shape");
        }
        if (shape == null || shape.size() < 2) {
            return Optional.empty();
        }
        long[] dims = new long[shape.size() - 1];
        for (int i = 1; i < shape.size(); i++) {
            if (!shape.get(i).canConvertToLong()) {
                return Optional.empty();
            }
            dims[i - 1] = shape.get(i).asLong();
        }
        if (dims.length == 3 && !dataFormat.equals("channels_first")) {
            return Optional.of(new long[] {dims[2], dims[0], dims[1]});
        }
        return dims.length == 3 || dims.length == 1 ? Optional.of(dims) : Optional.empty();
    }
}
