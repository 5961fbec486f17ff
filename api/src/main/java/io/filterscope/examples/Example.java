package io.filterscope.examples;

import java.util.Comparator;
import java.util.Objects;

/**
 * One image's score for one channel, with where the channel responded most strongly.
 *
 * @param image an identifier of the image, unique within a search (the file name relative to the
 *              folder); ties in score are broken by it, so every ranking is a total order
 * @param score the channel's score for the image ({@link ScoreKind})
 * @param y     row of the strongest response in the feature map (the first one in row-major order
 *              when several positions share the maximum)
 * @param x     column of the strongest response in the feature map
 */
public record Example(String image, float score, int y, int x) {

    /**
     * Best first: higher score, then the image identifier in ascending order. NaN scores rank
     * below every number. Merging and one-pass searches rank by this same order, which is what makes
     * their answers identical.
     */
    public static final Comparator<Example> BEST_FIRST = Comparator
            .comparingDouble((Example e) -> Float.isNaN(e.score) ? Double.NEGATIVE_INFINITY : e.score).reversed()
            .thenComparing(Example::image);

    public Example {
        Objects.requireNonNull(image, "image");
    }
}
