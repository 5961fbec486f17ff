package io.filterscope.dl4j.keras;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Keras file's configuration is a size its header declares: a Dense layer of 1,500,000,000 units in
 * a file of a few kilobytes would have Deeplearning4j allocate gigabytes when the network is
 * initialised, before any weight is compared with it. So the parameters the configuration declares
 * are counted first, without allocating, and held against the weights the file holds (already read,
 * within the HDF5 reader's own bounds).
 *
 * <p>The bound is twice the file's weights and a million besides, not equality: Deeplearning4j may
 * give a layer parameters Keras does not store (a batch normalisation without scale or centre), and
 * no saved model declares more than that. Memory for a network therefore stays proportional to what
 * its file holds.
 */
public final class DeclaredParameters {
    /** Parameters a configuration may declare beyond twice its file's weights. */
    static final long SLACK = 1_000_000;

    private DeclaredParameters() {
    }

    /** The parameters a graph configuration declares, counted without allocating them. */
    public static long of(ComputationGraphConfiguration conf) {
        return conf.getVertices().values().stream().mapToLong(v -> v.numParams(false)).sum();
    }

    /** The parameters a layer-stack configuration declares, counted without allocating them. */
    public static long of(MultiLayerConfiguration conf) {
        long n = 0;
        for (NeuralNetConfiguration c : conf.getConfs()) {
            n += c.getLayer().initializer().numParams(c);
        }
        return n;
    }

    /** The values of every weight array of every layer. */
    public static long held(Collection<? extends Map<String, INDArray>> weights) {
        return weights.stream().flatMap(m -> m.values().stream()).mapToLong(INDArray::length).sum();
    }

    /**
     * Refuses a configuration that declares far more parameters than its file's weights hold.
     *
     * @param file     the file, as messages name it
     * @param declared parameters the configuration declares
     * @param held     values of the weights the file holds
     * @throws FilterScopeException of kind {@link ErrorKind#NOT_A_MODEL} (weights that do not fit the graph) naming both counts
     */
    public static void check(String file, long declared, long held) {
        if (declared > 2 * held + SLACK) {
            throw new FilterScopeException(ErrorKind.NOT_A_MODEL, String.format("%s: the model configuration declares %,d parameters, but"
                    + " the file holds %,d weight values; the file is damaged or was altered, save the model again", file, declared, held));
        }
    }
}
