package io.filterscope.dl4j.keras;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

/**
 * A parameter-free Keras operation DL4J has no vertex for (broadcast multiply, reshape, layer
 * normalisation with stored constants, …) as a graph vertex: the subclass says how to compute the
 * output and the epsilons of the inputs; {@link OpVertex} runs it inside DL4J's graph, so feature
 * maps and gradients go through it as through DL4J's own vertices. Constants (a layer
 * normalisation's γ and β) live in the configuration rather than as DL4J parameters: they are not
 * filters, and a vertex with parameters would need DL4J's layer machinery.
 *
 * <p>Subclasses are public with a no-argument constructor and plain fields: DL4J stores vertices in
 * its JSON configuration by class name, and the fields (not getters) are what is stored.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public abstract class KerasOpVertex extends GraphVertex {
    private static final long serialVersionUID = 1L;

    /** The output shape per example, without the batch axis ({@code [h, w, c]} or {@code [n]}). */
    protected int[] outShape;

    /** For DL4J's JSON deserialisation. */
    protected KerasOpVertex() {
    }

    /** An operation whose output has {@code outShape} per example. */
    protected KerasOpVertex(int[] outShape) {
        this.outShape = outShape.clone();
    }

    /** The output for the inputs (batch first); must not change or return the inputs. */
    public abstract INDArray forward(INDArray[] inputs);

    /** d score / d each input, given the inputs and d score / d output. */
    public abstract INDArray[] backward(INDArray[] inputs, INDArray epsilon);

    /** How many inputs the operation takes. */
    protected int arity() {
        return 1;
    }

    /** The fields that distinguish two configurations (for equals/hashCode). */
    protected abstract Object[] state();

    /** Batch-first output shape for a batch of {@code n}. */
    long[] batchShape(long n) {
        long[] s = new long[outShape.length + 1];
        s[0] = n;
        for (int i = 0; i < outShape.length; i++) {
            s[i + 1] = outShape[i];
        }
        return s;
    }

    @Override
    public KerasOpVertex clone() {
        return copy();
    }

    /** A copy of this configuration; fields are never mutated after construction, so sharing them is safe. */
    protected abstract KerasOpVertex copy();

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(outShape, ((KerasOpVertex) o).outShape)
                && Arrays.deepEquals(state(), ((KerasOpVertex) o).state());
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(outShape) + Arrays.deepHashCode(state());
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return arity();
    }

    @Override
    public int maxVertexInputs() {
        return arity();
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                       INDArray paramsView, boolean initializeParams, DataType dataType) {
        return new OpVertex(graph, name, idx, this, dataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        return switch (outShape.length) {
            case 3 -> InputType.convolutional(outShape[0], outShape[1], outShape[2], CNN2DFormat.NHWC);
            case 1 -> InputType.feedForward(outShape[0]);
            default -> throw new InvalidInputTypeException("output shape " + Arrays.toString(outShape) + " is neither an image nor a vector");
        };
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        return new LayerMemoryReport.Builder(null, getClass(), inputTypes[0], getOutputType(-1, inputTypes))
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }
}
