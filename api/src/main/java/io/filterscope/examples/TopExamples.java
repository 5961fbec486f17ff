package io.filterscope.examples;

import com.google.common.base.Preconditions;
import io.filterscope.model.ChannelPeaks;
import io.filterscope.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The best {@code k} images per channel of one layer over some images: a partial result that merges.
 * {@link #merge} is associative and commutative, and merging the results of any split of a folder
 * into shards gives exactly the result of one pass over the whole folder (ranks are a total order,
 * {@link Example#BEST_FIRST}). That lets the same code run shard by shard, on several threads or
 * machines, with memory bounded by channels × k examples, whatever the number of images.
 *
 * @param layer    the layer's name
 * @param score    how an image's channel map became its score
 * @param k        how many examples are kept per channel
 * @param channels per channel, at most {@code k} examples, best first
 */
public record TopExamples(String layer, ScoreKind score, int k, List<List<Example>> channels) {

    public TopExamples {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(score, "score");
        Preconditions.checkArgument(k >= 1, "k must be at least 1, got %s", k);
        List<List<Example>> copy = new ArrayList<>(channels.size());
        for (List<Example> c : channels) {
            Preconditions.checkArgument(c.size() <= k, "%s examples for k = %s", c.size(), k);
            copy.add(List.copyOf(c));
        }
        channels = Collections.unmodifiableList(copy);
    }

    /** No images seen yet, for {@code channels} channels. */
    public static TopExamples empty(String layer, ScoreKind score, int k, int channels) {
        return new TopExamples(layer, score, k, Collections.nCopies(channels, List.of()));
    }

    /** The number of channels. */
    public int channelCount() {
        return channels.size();
    }

    /** The examples of channel {@code c}, best first. */
    public List<Example> channel(int c) {
        return channels.get(c);
    }

    /**
     * Both partial results together: per channel the best {@code k} of both. The two must be for the
     * same layer, score, k and number of channels, and from disjoint sets of images (an image in
     * both would be counted twice).
     */
    public TopExamples merge(TopExamples other) {
        Preconditions.checkArgument(layer.equals(other.layer) && score == other.score && k == other.k
                        && channels.size() == other.channels.size(),
                "cannot merge examples of %s (%s, k=%s, %s channels) with %s (%s, k=%s, %s channels)",
                layer, score, k, channels.size(), other.layer, other.score, other.k, other.channels.size());
        List<List<Example>> merged = new ArrayList<>(channels.size());
        for (int c = 0; c < channels.size(); c++) {
            List<Example> a = channels.get(c);
            List<Example> b = other.channels.get(c);
            List<Example> out = new ArrayList<>(Math.min(k, a.size() + b.size()));
            int i = 0;
            int j = 0;
            while (out.size() < k && (i < a.size() || j < b.size())) {
                if (j >= b.size() || (i < a.size() && Example.BEST_FIRST.compare(a.get(i), b.get(j)) <= 0)) {
                    out.add(a.get(i++));
                } else {
                    out.add(b.get(j++));
                }
            }
            merged.add(out);
        }
        return new TopExamples(layer, score, k, merged);
    }

    /** Every image that appears among the examples. */
    public Set<String> images() {
        Set<String> all = new HashSet<>();
        channels.forEach(c -> c.forEach(e -> all.add(e.image())));
        return all;
    }

    /**
     * Collects examples batch by batch, keeping a bounded heap of {@code k} per channel. Not
     * thread-safe: give each thread its own and {@link TopExamples#merge} their results.
     */
    public static final class Collector {
        private final String layer;
        private final ScoreKind score;
        private final int k;
        private final List<PriorityQueue<Example>> heaps;
        /**
         * Per channel, the score of the worst example kept once {@code k} are (NaN as -∞), else -∞:
         * most maps fall below it and are turned away by one comparison.
         */
        private final double[] worst;

        /** A collector for {@code channels} channels. */
        public Collector(String layer, ScoreKind score, int k, int channels) {
            Preconditions.checkArgument(k >= 1, "k must be at least 1, got %s", k);
            this.layer = layer;
            this.score = score;
            this.k = k;
            this.heaps = new ArrayList<>(channels);
            this.worst = new double[channels];
            java.util.Arrays.fill(worst, Double.NEGATIVE_INFINITY);
            for (int c = 0; c < channels; c++) {
                // Worst first, so the root is the one to drop.
                heaps.add(new PriorityQueue<>(k + 1, Example.BEST_FIRST.reversed()));
            }
        }

        /**
         * Scores every channel of every item of a batch of feature maps ({@code N × C × H × W}) and
         * keeps the best. {@code images.get(n)} names item n; items past the last name are padding (a
         * model with a fixed batch size, see {@link io.filterscope.preprocess.ImageBatches}) and are
         * not scored.
         */
        public void add(List<String> images, Tensor maps) {
            add(images, ChannelPeaks.of(layer, maps));
        }

        /**
         * Keeps the best of a batch already reduced to its channels' peaks ({@link
         * io.filterscope.model.Model#peaks}): the same as {@link #add(List, Tensor)} on the maps the
         * peaks were made from. Names past the batch's items are refused; items past the last name
         * are padding and are not scored.
         */
        public void add(List<String> images, ChannelPeaks peaks) {
            Preconditions.checkArgument(images.size() <= peaks.items(), "%s names for a batch of %s", images.size(), peaks.items());
            Preconditions.checkArgument(peaks.channels() == heaps.size(), "%s channels, expected %s", peaks.channels(), heaps.size());
            for (int i = 0; i < images.size(); i++) {
                for (int c = 0; c < heaps.size(); c++) {
                    float s = score == ScoreKind.MAX ? peaks.max(i, c) : peaks.mean(i, c);
                    offer(c, images.get(i), s, peaks, i);
                }
            }
        }

        /**
         * Keeps item {@code i}'s example for channel {@code c} if it beats the channel's worst kept
         * one; the common case once the heaps are full, one that cannot, makes no object.
         */
        private void offer(int c, String image, float s, ChannelPeaks peaks, int i) {
            if ((Float.isNaN(s) ? Double.NEGATIVE_INFINITY : s) < worst[c]) {
                return;   // strictly worse: BEST_FIRST would rank it after the worst kept
            }
            offer(c, new Example(image, s, peaks.y(i, c), peaks.x(i, c)));
        }

        private void offer(int c, Example e) {
            PriorityQueue<Example> heap = heaps.get(c);
            if (heap.size() < k) {
                heap.add(e);
            } else if (Example.BEST_FIRST.compare(e, heap.peek()) < 0) {
                heap.poll();
                heap.add(e);
            }
            if (heap.size() >= k) {
                float w = heap.peek().score();
                worst[c] = Float.isNaN(w) ? Double.NEGATIVE_INFINITY : w;
            }
        }

        /** What has been collected so far, as an immutable partial result. */
        public TopExamples result() {
            List<List<Example>> out = new ArrayList<>(heaps.size());
            for (PriorityQueue<Example> heap : heaps) {
                List<Example> sorted = new ArrayList<>(heap);
                sorted.sort(Example.BEST_FIRST);
                out.add(sorted);
            }
            return new TopExamples(layer, score, k, out);
        }
    }
}
