package io.filterscope.dl4j;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.dl4j.keras.Keras3Reader;
import java.nio.file.Path;

/** Keras 3 files through FilterScope's own reader ({@link Keras3Reader}): DL4J's import stops at Keras 2. */
final class Keras3Import {
    private Keras3Import() {
    }

    static KerasLoader.Loaded load(Path file, KerasConfig config) {
        try {
            return new KerasLoader.Loaded(Keras3Reader.read(file), config.producer(), config.native3() ? ".keras" : "HDF5",
                    config.inputShape());
        } catch (FilterScopeException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, file.getFileName() + ": the Keras 3 reader cannot read this model ("
                    + Dl4jModel.firstLine(e.getMessage()) + ")", e);
        }
    }
}
