package io.filterscope.samples.watch;

import java.util.Iterator;
import java.util.Random;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** Trains a network on Fashion-MNIST, the same way for both network classes. */
final class Training {
    private Training() {
    }

    /** What a run did. */
    record Result(int iterations, double seconds, double accuracy) {
        double iterationsPerSecond() {
            return iterations / seconds;
        }
    }

    /**
     * Trains for {@code epochs} passes over the first {@code limit} examples (all when 0), shuffled
     * with {@code seed}, then measures accuracy on the first {@code evalLimit} test images (all when 0).
     */
    static Result run(NeuralNetwork net, FashionMnist train, FashionMnist test, int batch, int epochs, int limit,
                      int evalLimit, long seed, TrainingListener... listeners) {
        setListeners(net, listeners);
        int n = limit > 0 ? Math.min(limit, train.size()) : train.size();
        Random random = new Random(seed);
        long start = System.nanoTime();
        int iterations = 0;
        for (int e = 0; e < epochs; e++) {
            int[] order = shuffled(n, random);
            fit(net, iterator(train, order, batch));
            iterations += (n + batch - 1) / batch;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        setListeners(net);
        return new Result(iterations, seconds, accuracy(net, test, batch, evalLimit));
    }

    /** Trains exactly {@code iterations} batches (benchmarks), continuing the network's state. */
    static double iterations(NeuralNetwork net, FashionMnist train, int batch, int iterations, long seed,
                             TrainingListener... listeners) {
        setListeners(net, listeners);
        int[] order = shuffled(train.size(), new Random(seed));
        int[] slice = java.util.Arrays.copyOf(order, Math.min(order.length, iterations * batch));
        long start = System.nanoTime();
        fit(net, iterator(train, slice, batch));
        double seconds = (System.nanoTime() - start) / 1e9;
        setListeners(net);
        return seconds;
    }

    /** Accuracy on the first {@code limit} test images (all when 0). */
    static double accuracy(NeuralNetwork net, FashionMnist test, int batch, int limit) {
        int[] all = new int[limit > 0 ? Math.min(limit, test.size()) : test.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        DataSetIterator it = iterator(test, all, batch);
        Evaluation eval = net instanceof MultiLayerNetwork m ? m.evaluate(it) : ((ComputationGraph) net).evaluate(it);
        return eval.accuracy();
    }

    private static int[] shuffled(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Batches made as they are needed: the whole split as DataSets would double the memory. */
    private static DataSetIterator iterator(FashionMnist data, int[] order, int batch) {
        Iterable<DataSet> batches = () -> new Iterator<>() {
            private int from;

            @Override
            public boolean hasNext() {
                return from < order.length;
            }

            @Override
            public DataSet next() {
                int to = Math.min(order.length, from + batch);
                DataSet ds = data.batch(order, from, to);
                from = to;
                return ds;
            }
        };
        return new ExistingDataSetIterator(batches);
    }

    private static void fit(NeuralNetwork net, DataSetIterator it) {
        if (net instanceof MultiLayerNetwork m) {
            m.fit(it);
        } else {
            ((ComputationGraph) net).fit(it);
        }
    }

    private static void setListeners(NeuralNetwork net, TrainingListener... listeners) {
        if (net instanceof MultiLayerNetwork m) {
            m.setListeners(listeners);
        } else {
            ((ComputationGraph) net).setListeners(listeners);
        }
    }
}
