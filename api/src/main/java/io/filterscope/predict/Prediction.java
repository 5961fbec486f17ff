package io.filterscope.predict;

/**
 * One class of a model's prediction.
 *
 * @param index       the class index in the model's output
 * @param label       its name, or "class N" when no label is known
 * @param probability the softmax probability (or the model's own value when its output already is
 *                    a probability distribution)
 * @param score       the raw value the model gave (a logit for most classifiers)
 */
public record Prediction(int index, String label, float probability, float score) {
}
