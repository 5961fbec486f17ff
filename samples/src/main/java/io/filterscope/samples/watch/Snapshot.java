package io.filterscope.samples.watch;

import io.filterscope.model.FeatureMaps;
import io.filterscope.model.FilterBank;

/**
 * What the network looked like after one iteration: the watched layer's filters and the fixed
 * image's feature maps in that layer. Both hold copies, so training can go on while they are drawn.
 *
 * @param iteration the iteration just finished (counting from 1)
 * @param epoch     the epoch it belongs to (counting from 1)
 * @param loss      the loss of that iteration's batch
 * @param filters   the watched layer's weights
 * @param maps      the fixed image's feature maps in that layer
 */
record Snapshot(int iteration, int epoch, double loss, FilterBank filters, FeatureMaps maps) {
}
