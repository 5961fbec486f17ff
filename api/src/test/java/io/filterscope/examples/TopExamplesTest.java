package io.filterscope.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.filterscope.model.ChannelPeaks;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Per-channel top-k as mergeable partial results: any split into shards, merged in any grouping
 * or order, gives the one-pass answer; and the one-pass answer is the brute-force sort.
 */
class TopExamplesTest {
    private static final int C = 5;
    private static final int H = 3;
    private static final int W = 4;

    /** Random feature maps for {@code n} images, with many ties (values on a coarse grid, zeros as after a ReLU). */
    private static float[] maps(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n * C * H * W];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0, r.nextInt(9) - 4) / 2f;
        }
        return v;
    }

    private static List<String> names(int from, int to) {
        List<String> n = new ArrayList<>();
        for (int i = from; i < to; i++) {
            n.add(String.format("%04d.png", i));
        }
        return n;
    }

    private static TopExamples collect(float[] all, int from, int to, int batch, ScoreKind score, int k) {
        TopExamples.Collector c = new TopExamples.Collector("l", score, k, C);
        for (int s = from; s < to; s += batch) {
            int e = Math.min(to, s + batch);
            float[] part = new float[(e - s) * C * H * W];
            System.arraycopy(all, s * C * H * W, part, 0, part.length);
            c.add(names(s, e), Tensor.of(Shape.of(e - s, C, H, W), part));
        }
        return c.result();
    }

    @Test
    void mergedShardsEqualOnePassInAnyGroupingAndOrder() {
        int n = 211;
        float[] all = maps(n, 7);
        for (ScoreKind score : ScoreKind.values()) {
            for (int k : new int[] {1, 4, 300}) {
                TopExamples one = collect(all, 0, n, 17, score, k);
                TopExamples a = collect(all, 0, 50, 8, score, k);
                TopExamples b = collect(all, 50, 51, 1, score, k);
                TopExamples c = collect(all, 51, 160, 64, score, k);
                TopExamples d = collect(all, 160, n, 3, score, k);
                assertEquals(one, a.merge(b).merge(c).merge(d));
                assertEquals(one, a.merge(b.merge(c.merge(d))));
                assertEquals(one, d.merge(b).merge(a.merge(c)));
                assertEquals(one, one.merge(TopExamples.empty("l", score, k, C)));
            }
        }
    }

    @Test
    void onePassIsTheBruteForceRanking() {
        int n = 60;
        float[] all = maps(n, 11);
        TopExamples top = collect(all, 0, n, 7, ScoreKind.MAX, 6);
        TopExamples mean = collect(all, 0, n, 7, ScoreKind.MEAN, 6);
        for (int ch = 0; ch < C; ch++) {
            List<Example> brute = new ArrayList<>();
            List<Example> bruteMean = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int base = (i * C + ch) * H * W;
                float max = Float.NEGATIVE_INFINITY;
                int arg = 0;
                double sum = 0;
                for (int p = 0; p < H * W; p++) {
                    sum += all[base + p];
                    if (all[base + p] > max) {
                        max = all[base + p];
                        arg = p;
                    }
                }
                String name = String.format("%04d.png", i);
                brute.add(new Example(name, max, arg / W, arg % W));
                bruteMean.add(new Example(name, (float) (sum / (H * W)), arg / W, arg % W));
            }
            Comparator<Example> order = Comparator.comparing((Example e) -> -e.score()).thenComparing(Example::image);
            brute.sort(order);
            bruteMean.sort(order);
            assertEquals(brute.subList(0, 6), top.channel(ch), "channel " + ch);
            assertEquals(bruteMean.subList(0, 6), mean.channel(ch), "channel " + ch);
        }
    }

    /**
     * Peaks a backend hands in rank as the maps they stand for; padding items past the names are not
     * scored, and a batch that does not fit is refused.
     */
    @Test
    void peaksFromABackendRankAsTheirMaps() {
        int n = 40;
        float[] all = maps(n, 5);
        for (ScoreKind score : ScoreKind.values()) {
            TopExamples fromMaps = collect(all, 0, n, 8, score, 3);
            TopExamples.Collector c = new TopExamples.Collector("l", score, 3, C);
            for (int s = 0; s < n; s += 8) {
                // What a backend computes itself, handed in as arrays, with two padding items after the batch.
                int items = 8 + 2;
                float[] max = new float[items * C];
                float[] mean = new float[items * C];
                int[] position = new int[items * C];
                for (int i = 0; i < items; i++) {
                    for (int ch = 0; ch < C; ch++) {
                        int base = ((s + Math.min(i, 7)) * C + ch) * H * W;
                        float m = Float.NEGATIVE_INFINITY;
                        double sum = 0;
                        for (int p = 0; p < H * W; p++) {
                            sum += all[base + p];
                            if (all[base + p] > m) {
                                m = all[base + p];
                                position[i * C + ch] = p;
                            }
                        }
                        // Padding scores above every real one: were it scored, it would be kept.
                        max[i * C + ch] = i < 8 ? m : 1000;
                        mean[i * C + ch] = i < 8 ? (float) (sum / (H * W)) : 1000;
                    }
                }
                c.add(names(s, s + 8), ChannelPeaks.of("l", items, C, H, W, max, mean, position));
            }
            assertEquals(fromMaps, c.result(), score.id());
        }
        TopExamples.Collector c = new TopExamples.Collector("l", ScoreKind.MAX, 3, C);
        ChannelPeaks two = ChannelPeaks.of("l", Tensor.wrap(Shape.of(2, C, H, W), new float[2 * C * H * W]));
        assertThrows(IllegalArgumentException.class, () -> c.add(names(0, 3), two), "more names than items");
        TopExamples.Collector wider = new TopExamples.Collector("l", ScoreKind.MAX, 3, C + 1);
        assertThrows(IllegalArgumentException.class, () -> wider.add(names(0, 2), two), "channels that do not match");
    }

    @Test
    void refusesToMergeDifferentSearches() {
        TopExamples a = TopExamples.empty("l", ScoreKind.MAX, 3, C);
        assertThrows(IllegalArgumentException.class, () -> a.merge(TopExamples.empty("l", ScoreKind.MEAN, 3, C)));
        assertThrows(IllegalArgumentException.class, () -> a.merge(TopExamples.empty("l", ScoreKind.MAX, 4, C)));
        assertThrows(IllegalArgumentException.class, () -> a.merge(TopExamples.empty("m", ScoreKind.MAX, 3, C)));
        assertThrows(IllegalArgumentException.class, () -> a.merge(TopExamples.empty("l", ScoreKind.MAX, 3, C + 1)));
    }
}
