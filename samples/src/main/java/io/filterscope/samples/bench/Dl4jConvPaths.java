package io.filterscope.samples.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Benchmark harness for the lever {@link Dl4jProfile} points at: DL4J 1.0.0-M2.1's
 * {@code ConvolutionLayer} computes a convolution in Java as im2col then gemm (its oneDNN helper
 * never switches on in M2.1), while ND4J's own {@code conv2d} op does the same in one native call.
 * For each convolution of a DL4J {@code MultiLayerNetwork}, on that layer's real input, it times
 * both, interleaved, and checks they agree.
 *
 * <pre>java -cp ... io.filterscope.samples.bench.Dl4jConvPaths DL4J.zip [ROUNDS] [BATCH]</pre>
 */
public final class Dl4jConvPaths {
    private Dl4jConvPaths() {
    }

    public static void main(String[] args) throws Exception {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(Path.of(args[0]).toFile(), false);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        float[] pixels = new float[batch * 28 * 28];
        Random random = new Random(0);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        List<INDArray> acts = net.feedForward(Nd4j.create(pixels, new long[] {batch, 1, 28, 28}, 'c'), false);
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        double dl4jTotal = 0;
        double opTotal = 0;
        for (int i = 0; i < net.getnLayers(); i++) {
            if (!(net.getLayer(i) instanceof ConvolutionLayer layer) || layer.getClass() != ConvolutionLayer.class) {
                continue;
            }
            var conf = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) layer.conf().getLayer();
            INDArray in = acts.get(i);
            INDArray w = layer.getParam("W");
            INDArray b = layer.getParam("b").reshape(-1);
            Conv2DConfig cfg = Conv2DConfig.builder().kH(conf.getKernelSize()[0]).kW(conf.getKernelSize()[1])
                    .sH(conf.getStride()[0]).sW(conf.getStride()[1]).pH(conf.getPadding()[0]).pW(conf.getPadding()[1])
                    .dH(conf.getDilation()[0]).dW(conf.getDilation()[1])
                    .paddingMode(conf.getConvolutionMode() == ConvolutionMode.Same ? PaddingMode.SAME : PaddingMode.VALID)
                    .dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build();
            INDArray viaLayer = layer.activate(in, false, mgr).dup();
            INDArray viaOp = Transforms.relu(Nd4j.cnn().conv2d(in, w, b, cfg), false);
            double diff = viaLayer.sub(viaOp).amaxNumber().doubleValue();
            double[][] ms = new double[2][rounds];
            for (int r = 0; r < rounds + 3; r++) {
                for (int k = 0; k < 2; k++) {
                    int which = r % 2 == 0 ? k : 1 - k;
                    long t0 = System.nanoTime();
                    INDArray out = which == 0 ? layer.activate(in, false, mgr) : Transforms.relu(Nd4j.cnn().conv2d(in, w, b, cfg), false);
                    out.close();
                    if (r >= 3) {
                        ms[which][r - 3] = (System.nanoTime() - t0) / 1e6;
                    }
                }
            }
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = ms[0][r] / ms[1][r];
            }
            dl4jTotal += Stats.median(ms[0]);
            opTotal += Stats.median(ms[1]);
            System.out.printf("layer %d %s on %s: ConvolutionLayer.activate %7.2f ms, Nd4j conv2d op + relu %7.2f ms, ratio %.2f, max |diff| %.2e%n",
                    i, layer.conf().getLayer().getLayerName(), java.util.Arrays.toString(in.shape()), Stats.median(ms[0]), Stats.median(ms[1]),
                    Stats.median(ratio), diff);
        }
        System.out.printf("all convolutions: %.2f ms against %.2f ms (%.2fx)%n", dl4jTotal, opTotal, dl4jTotal / opTotal);
    }
}
