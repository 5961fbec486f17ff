package io.filterscope.samples.bench;

import io.filterscope.FilterScope;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Model;
import io.filterscope.onnx.GradientGraphs;
import io.filterscope.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Check harness (not run in CI): writes the gradient graph the ONNX backend builds for the input
 * gradient of output unit CLASS on an input of SHAPE — the model's nodes with the backward nodes
 * appended, exactly what {@code Model.gradients} hands to ONNX Runtime — and, next to it, a
 * properties file naming its input, seed and outputs. {@code samples/scripts/gradient_check_float64.py}
 * evaluates it in float64 with ONNX's reference evaluator, which ONNX Runtime's CPU kernels cannot
 * (no float64 Conv), to show the backward rules exact apart from float32 rounding.
 *
 * <pre>java -cp ... io.filterscope.samples.bench.GradientGraphExport MODEL.onnx N,C,H,W CLASS OUT.onnx</pre>
 */
public final class GradientGraphExport {
    private GradientGraphExport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: GradientGraphExport MODEL.onnx N,C,H,W CLASS OUT.onnx");
            System.exit(2);
        }
        long[] dims = Arrays.stream(args[1].split(",")).mapToLong(Long::parseLong).toArray();
        int k = Integer.parseInt(args[2]);
        Path out = Path.of(args[3]);
        try (Model model = FilterScope.open(Path.of(args[0]))) {
            GradientGraphs.Graph g = GradientGraphs.of(model, Shape.of(dims), GradientRequest.ofInput(k));
            Files.write(out, g.model());
            String names = "input=" + g.input() + "\nseed=" + g.seed() + "\nseed_shape=" + Arrays.toString(g.seedShape())
                    + "\noutput=" + g.output() + "\ninput_gradient=" + g.inputGradient().orElse("") + "\n";
            Files.writeString(Path.of(out + ".properties"), names);
            System.out.printf("%s: %d bytes, %s", out, Files.size(out), names);
        }
    }
}
