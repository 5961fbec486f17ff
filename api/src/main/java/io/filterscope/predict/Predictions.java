package io.filterscope.predict;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** Top classes from a classifier's output, and class labels from files. */
public final class Predictions {
    /** How far from 1 a row may sum and still count as probabilities (float32 rounding over many classes). */
    static final double SUM_TOLERANCE = 1e-3;

    private Predictions() {
    }

    /**
     * The {@code k} most likely classes of batch item {@code item}, most likely first (ties in index
     * order).
     *
     * <p>A row is taken as logits, and a numerically stable softmax applied, when any value is below
     * 0 or above 1 or the values do not sum to 1 within 1e-3; otherwise the values are used as
     * the probabilities they already are (models that end in a softmax).
     *
     * @param output N × K (any trailing dimensions of size 1 allowed, e.g. N × K × 1 × 1), or K for
     *               a single item
     * @param labels class names by index; missing or blank ones are shown as "class N"
     * @param k      how many classes, at least 1; fewer come back when the model has fewer
     * @throws FilterScopeException when the item does not exist or the output is not one row per item
     */
    public static List<Prediction> topK(Tensor output, int item, List<String> labels, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        float[] row = row(output, item);
        int n = row.length;
        double[] probs = looksLikeProbabilities(row) ? toDouble(row) : softmax(row);
        return IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> Double.isNaN(probs[i]) ? Double.NEGATIVE_INFINITY : probs[i])
                        .reversed().thenComparing(Comparator.naturalOrder()))
                .limit(k)
                .map(i -> new Prediction(i, label(labels, i), (float) probs[i], row[i]))
                .toList();
    }

    /**
     * Class labels, one per line, trimmed; a trailing empty line is ignored (a blank line elsewhere
     * keeps its index and shows as "class N").
     *
     * @throws FilterScopeException naming the file when it cannot be read, is not UTF-8 text, or
     *         holds no labels
     */
    public static List<String> readLabels(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": no such file; give a text file with one class name per line");
        } catch (CharacterCodingException e) {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, file + ": not UTF-8 text; give a text file with one class name per line", e);
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot read labels (" + e.getMessage()
                    + "); give a text file with one class name per line", e);
        }
        List<String> labels = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i);
            if (i == 0 && s.startsWith("\uFEFF")) {
                s = s.substring(1); // a byte-order mark some editors write
            }
            labels.add(s.trim());
        }
        while (!labels.isEmpty() && labels.get(labels.size() - 1).isEmpty()) {
            labels.remove(labels.size() - 1);
        }
        if (labels.isEmpty()) {
            throw new FilterScopeException(ErrorKind.INVALID_DATA, file + ": no labels in the file; give one class name per line");
        }
        return List.copyOf(labels);
    }

    private static float[] row(Tensor output, int item) {
        Shape s = output.shape();
        if (s.rank() == 0) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "output of shape " + s + " is a scalar, not class scores; is this a classifier?");
        }
        if (s.rank() == 1) {
            if (item != 0) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "output of shape " + s + " holds one item; there is no item " + item);
            }
            return output.toArray();
        }
        for (int d = 2; d < s.rank(); d++) {
            if (s.dim(d) != 1) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "output of shape " + s + " is not one row of class scores per item (N×K); is this a classifier?");
            }
        }
        if (item < 0 || item >= s.dim(0)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "output of shape " + s + " holds " + s.dim(0) + " items; there is no item " + item);
        }
        int k = (int) s.dim(1);
        float[] row = new float[k];
        output.copyTo(item * k, row, 0, k);
        return row;
    }

    static boolean looksLikeProbabilities(float[] row) {
        double sum = 0;
        for (float v : row) {
            if (!(v >= 0 && v <= 1)) {
                return false; // also NaN
            }
            sum += v;
        }
        return Math.abs(sum - 1) <= SUM_TOLERANCE;
    }

    /** Softmax with the maximum subtracted first, so large logits do not overflow exp. */
    static double[] softmax(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double[] out = new double[row.length];
        if (max == Double.POSITIVE_INFINITY) {
            // Infinite logits: the infinite ones share everything.
            int count = 0;
            for (float v : row) {
                count += v == Float.POSITIVE_INFINITY ? 1 : 0;
            }
            for (int i = 0; i < row.length; i++) {
                out[i] = row[i] == Float.POSITIVE_INFINITY ? 1.0 / count : 0;
            }
            return out;
        }
        double sum = 0;
        for (int i = 0; i < row.length; i++) {
            out[i] = Math.exp(row[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < row.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    private static double[] toDouble(float[] row) {
        double[] d = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            d[i] = row[i];
        }
        return d;
    }

    private static String label(List<String> labels, int i) {
        if (labels != null && i < labels.size()) {
            String l = labels.get(i);
            if (l != null && !l.isBlank()) {
                return l;
            }
        }
        return "class " + i;
    }
}
