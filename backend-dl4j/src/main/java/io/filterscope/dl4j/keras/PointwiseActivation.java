package io.filterscope.dl4j.keras;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras 3 activations DL4J has no counterpart for, element by element with Keras' default
 * parameters: {@code log_sigmoid}, {@code tanh_shrink}, {@code soft_shrink} and {@code hard_shrink}
 * (threshold 0.5), {@code squareplus} (b = 4), {@code sparse_plus} and {@code sparse_sigmoid}.
 * Computed in double precision in Java: these are rare, and the models here are small. Public with a
 * no-argument constructor because DL4J stores activations in its JSON configuration by class name.
 */
public final class PointwiseActivation extends BaseActivationFunction {
    private static final long serialVersionUID = 1L;
    private static final double SHRINK = 0.5;
    private static final double SQUAREPLUS_B = 4;

    /** The Keras names this class computes. */
    static final java.util.List<String> NAMES = java.util.List.of("log_sigmoid", "tanh_shrink", "soft_shrink", "hard_shrink",
            "squareplus", "sparse_plus", "sparse_sigmoid");

    private String function;

    /** For DL4J's JSON deserialisation. */
    public PointwiseActivation() {
    }

    /** The Keras activation {@code function}, one of {@link #NAMES}. */
    public PointwiseActivation(String function) {
        if (!NAMES.contains(function)) {
            throw new IllegalArgumentException("not a pointwise activation: " + function);
        }
        this.function = function;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        double[] x = in.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        for (int i = 0; i < x.length; i++) {
            x[i] = value(x[i]);
        }
        return in.assign(Nd4j.create(x, in.shape(), 'c').castTo(in.dataType()));
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        double[] x = in.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        for (int i = 0; i < x.length; i++) {
            x[i] = derivative(x[i]);
        }
        return new Pair<>(epsilon.mul(Nd4j.create(x, in.shape(), 'c').castTo(epsilon.dataType())), null);
    }

    double value(double x) {
        return switch (function) {
            case "log_sigmoid" -> Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
            case "tanh_shrink" -> x - Math.tanh(x);
            case "soft_shrink" -> x > SHRINK ? x - SHRINK : x < -SHRINK ? x + SHRINK : 0;
            case "hard_shrink" -> Math.abs(x) > SHRINK ? x : 0;
            case "squareplus" -> (x + Math.sqrt(x * x + SQUAREPLUS_B)) / 2;
            case "sparse_plus" -> x <= -1 ? 0 : x >= 1 ? x : (x + 1) * (x + 1) / 4;
            case "sparse_sigmoid" -> x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2;
            default -> throw new IllegalStateException(function);
        };
    }

    double derivative(double x) {
        return switch (function) {
            case "log_sigmoid" -> 1 / (1 + Math.exp(x));
            case "tanh_shrink" -> Math.tanh(x) * Math.tanh(x);
            case "soft_shrink", "hard_shrink" -> Math.abs(x) > SHRINK ? 1 : 0;
            case "squareplus" -> (1 + x / Math.sqrt(x * x + SQUAREPLUS_B)) / 2;
            case "sparse_plus" -> x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2;
            case "sparse_sigmoid" -> x <= -1 || x >= 1 ? 0 : 0.5;
            default -> throw new IllegalStateException(function);
        };
    }

    @Override
    public String toString() {
        return function;
    }
}
