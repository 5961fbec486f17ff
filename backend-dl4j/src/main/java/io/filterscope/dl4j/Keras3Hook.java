package io.filterscope.dl4j;

import io.filterscope.FilterScopeException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Optional;
import org.deeplearning4j.nn.api.NeuralNetwork;

/**
 * Calls {@code io.filterscope.dl4j.keras.Keras3Reader.read(Path)} when that class is present. Found
 * by name so this backend compiles and runs without it.
 */
final class Keras3Hook {
    private final Method read;

    private Keras3Hook(Method read) {
        this.read = read;
    }

    static Optional<Keras3Hook> find() {
        try {
            Class<?> reader = Class.forName(KerasLoader.KERAS3_READER, true, Keras3Hook.class.getClassLoader());
            return Optional.of(new Keras3Hook(reader.getMethod("read", Path.class)));
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return Optional.empty();
        }
    }

    KerasLoader.Loaded load(Path file, KerasConfig config) {
        try {
            NeuralNetwork network = (NeuralNetwork) read.invoke(null, file);
            return new KerasLoader.Loaded(network, config.producer(), config.native3() ? ".keras" : "HDF5", config.inputShape());
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof FilterScopeException fe) {
                throw fe;
            }
            throw new FilterScopeException(file.getFileName() + ": the Keras 3 reader cannot read this model ("
                    + Dl4jModel.firstLine(cause == null ? null : cause.getMessage()) + ")", cause);
        } catch (IllegalAccessException e) {
            throw new FilterScopeException(file.getFileName() + ": the Keras 3 reader cannot be called (" + e.getMessage() + ")", e);
        }
    }
}
