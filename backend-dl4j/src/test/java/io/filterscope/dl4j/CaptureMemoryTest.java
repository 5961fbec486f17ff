package io.filterscope.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScope;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Where a capture's native memory lives: in the workspaces of the model's one capture thread, the
 * same bytes reused capture after capture whichever threads ask, nothing allocated beside them once
 * the first capture has sized them, and all of it freed when the model is closed. ND4J's own
 * workspace accounting is the witness; the garbage collector plays no part.
 */
class CaptureMemoryTest {
    private static final Path IMAGE = Path.of("../samples/models/fashion-mnist/images/9-ankle-boot.png");

    @Test
    void capturesReuseOneThreadsWorkspacesAndCloseFreesThem() throws Exception {
        Dl4jModel model = (Dl4jModel) FilterScope.open(BadInputTest.KERAS3_ZIP);
        try {
            Tensor x = Preprocessor.load(IMAGE, Preprocessing.forModel(model.metadata(), Optional.empty()));
            assertEquals(0, model.captureThread().usage().workspaceBytes(), "nothing is held before the first capture");

            List<float[]> reference = values(model.capture(x, CaptureRequest.allSpatial()));
            // The first capture sizes the workspaces (FIRST_LOOP learning); the second runs inside them.
            model.capture(x, CaptureRequest.allSpatial());
            CaptureThread.Usage sized = model.captureThread().usage();
            assertEquals(List.of(Passes.ACTIVATIONS_WORKSPACE, Passes.WORKING_WORKSPACE), sized.workspaces());
            assertTrue(sized.workspaceBytes() > 0, "the capture's arrays live in the workspaces");
            assertEquals(0, sized.outsideBytes(), "a sized workspace holds the whole capture");

            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<float[]>>> runs = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    runs.add(pool.submit(() -> values(model.capture(x, CaptureRequest.allSpatial()))));
                }
                for (Future<List<float[]>> r : runs) {
                    List<float[]> got = r.get();
                    for (int i = 0; i < reference.size(); i++) {
                        assertArrayEquals(reference.get(i), got.get(i), "output " + i + " of a capture from another thread");
                    }
                }
            } finally {
                pool.shutdown();
            }
            CaptureThread.Usage after = model.captureThread().usage();
            assertEquals(sized, after, "40 captures from 4 threads reuse the same workspaces, nothing beside them");
        } finally {
            model.close();
        }
        assertTrue(model.captureThread().isTerminated(), "closing ends the capture thread, which destroys its workspaces");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> model.capture(
                Tensor.wrap(io.filterscope.tensor.Shape.of(1, 28, 28, 1), new float[784]), CaptureRequest.allSpatial()));
        assertEquals(ErrorKind.MODEL_CLOSED, e.kind());
    }

    @Test
    void runFromLayerUsesTheSameWorkspaces() throws Exception {
        try (Model m = FilterScope.open(BadInputTest.KERAS3_ZIP)) {
            Dl4jModel model = (Dl4jModel) m;
            Tensor x = Preprocessor.load(IMAGE, Preprocessing.forModel(model.metadata(), Optional.empty()));
            Activations a = model.capture(x, CaptureRequest.allSpatial());
            model.capture(x, CaptureRequest.allSpatial());
            CaptureThread.Usage sized = model.captureThread().usage();
            LayerOutput first = a.layers().get(0);
            Tensor out = model.runFrom(first.layer().name(), first.values());
            assertArrayEquals(a.output().toArray(), out.toArray(), 1e-5f, "running on from the first layer gives the capture's output");
            for (int i = 0; i < 5; i++) {
                model.runFrom(first.layer().name(), first.values());
            }
            assertEquals(0, model.captureThread().usage().outsideBytes(), "runFrom fits in the capture's workspaces");
            assertEquals(sized.workspaces(), model.captureThread().usage().workspaces());
        }
    }

    /**
     * A training listener captures inside DL4J's {@code fit}, which holds the network's lock: the
     * capture runs on the training thread (handing it to the capture thread, which needs the lock,
     * would wait forever), and gives what a capture after training gives for the same weights.
     */
    @Test
    void aListenerInsideFitCapturesOnTheTrainingThread() {
        var net = TestNets.chain(org.deeplearning4j.nn.conf.CNN2DFormat.NCHW, org.nd4j.linalg.api.buffer.DataType.FLOAT, false);
        try (Model model = Dl4jBackend.wrap(net, "training", TestNets.CHANNELS, TestNets.SIZE, TestNets.SIZE)) {
            Tensor x = Tensor.wrap(io.filterscope.tensor.Shape.of(1, TestNets.CHANNELS, TestNets.SIZE, TestNets.SIZE),
                    new float[TestNets.CHANNELS * TestNets.SIZE * TestNets.SIZE]);
            List<List<float[]>> seen = new ArrayList<>();
            List<Boolean> heldTheLock = new ArrayList<>();
            net.setListeners(new org.deeplearning4j.optimize.api.BaseTrainingListener() {
                @Override
                public void iterationDone(org.deeplearning4j.nn.api.Model m, int iteration, int epoch) {
                    heldTheLock.add(Thread.holdsLock(net));
                    seen.add(values(model.capture(x, CaptureRequest.allSpatial())));
                }
            });
            var features = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, TestNets.CHANNELS, TestNets.SIZE, TestNets.SIZE);
            var labels = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, TestNets.CLASSES);
            labels.putScalar(0, 0, 1);
            labels.putScalar(1, 1, 1);
            net.fit(new org.nd4j.linalg.dataset.adapter.SingletonDataSetIterator(new org.nd4j.linalg.dataset.DataSet(features, labels)));
            assertEquals(List.of(true), heldTheLock, "DL4J's fit holds the network's lock while listeners run");
            net.setListeners();
            List<float[]> after = values(model.capture(x, CaptureRequest.allSpatial()));
            for (int i = 0; i < after.size(); i++) {
                assertArrayEquals(after.get(i), seen.get(0).get(i), "output " + i + " captured inside fit");
            }
        }
    }

    private static List<float[]> values(Activations a) {
        List<float[]> out = new ArrayList<>();
        for (LayerOutput l : a.layers()) {
            out.add(l.values().toArray());
        }
        out.add(a.output().toArray());
        return out;
    }
}
