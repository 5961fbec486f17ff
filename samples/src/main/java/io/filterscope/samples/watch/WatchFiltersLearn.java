package io.filterscope.samples.watch;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.dl4j.Dl4jBackend;
import io.filterscope.model.Model;
import io.filterscope.render.Colormap;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains the bundled Fashion-MNIST CNN with Deeplearning4j while showing the first layer's filters
 * and a fixed test image's feature maps change, every few iterations, in a window — or, with
 * {@code --headless}, writing the frames as PNGs and an animated GIF.
 *
 * <pre>
 * ./mvnw -q -DskipTests package
 * java -cp "samples/target/classes:samples/target/lib/*" io.filterscope.samples.watch.WatchFiltersLearn
 * java -cp "samples/target/classes:samples/target/lib/*" io.filterscope.samples.watch.WatchFiltersLearn --graph --headless -o frames
 * </pre>
 */
@Command(name = "watch-filters-learn", mixinStandardHelpOptions = true,
        description = "Train the Fashion-MNIST CNN with DL4J and watch its first-layer filters and feature maps learn.",
        footer = {"", "Exit codes: 0 done, 2 bad input or option (one line on stderr), 1 internal error."})
public final class WatchFiltersLearn implements Callable<Integer> {
    @Option(names = "--graph", description = "Train a ComputationGraph instead of a MultiLayerNetwork.")
    boolean graph;

    @Option(names = "--headless", description = "No window: write frame-NNNN.png and training.gif into --out.")
    boolean headless;

    @Option(names = {"-o", "--out"}, description = "Folder for --headless frames (default: ${DEFAULT-VALUE}).", defaultValue = "watch-frames")
    Path out;

    @Option(names = "--no-view", description = "Train without watching (to compare speed).")
    boolean noView;

    @Option(names = "--every", description = "Snapshot every N iterations (default: ${DEFAULT-VALUE}).", defaultValue = "20")
    int every;

    @Option(names = "--epochs", description = "Passes over the training data (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int epochs;

    @Option(names = "--limit", description = "Train on the first N (shuffled) examples only; 0 = all (default).", defaultValue = "0")
    int limit;

    @Option(names = "--eval", description = "Measure accuracy on the first N test images; 0 = all 10 000 (default).", defaultValue = "0")
    int eval;

    @Option(names = "--batch", description = "Batch size (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int batch;

    @Option(names = "--layer", description = "Layer to watch (default: ${DEFAULT-VALUE}).", defaultValue = "conv1")
    String layer;

    @Option(names = "--data", description = "Folder with the Fashion-MNIST .gz files (default: ${DEFAULT-VALUE}).",
            defaultValue = "/usr/share/datasets/fashion-mnist")
    Path data;

    @Option(names = "--save", description = "Save the trained network here (DL4J zip; FilterScope opens it).")
    Path save;

    @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Option(names = "--verbose", description = "Print stack traces for errors.")
    boolean verbose;

    private PrintStream stdout = System.out;

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        // A live window stays up until the person closes it; everything else ends here.
        if (code != 0 || GraphicsEnvironment.isHeadless() || java.util.Arrays.asList(args).contains("--headless")
                || java.util.Arrays.asList(args).contains("--no-view")) {
            System.exit(code);
        }
    }

    /** Runs in process and returns the exit code; tests call this. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        WatchFiltersLearn app = new WatchFiltersLearn();
        app.stdout = out;
        CommandLine cl = new CommandLine(app);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            boolean bad = e instanceof FilterScopeException;
            line.getErr().println((bad ? "" : "internal error: ") + e.getMessage());
            if (app.verbose) {
                e.printStackTrace(line.getErr());
            }
            return bad ? 2 : 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws IOException {
        check(every >= 1, "--every must be at least 1, got " + every);
        check(epochs >= 1, "--epochs must be at least 1, got " + epochs);
        check(batch >= 1, "--batch must be at least 1, got " + batch);
        check(limit >= 0, "--limit must be 0 (all) or more, got " + limit);
        check(eval >= 0, "--eval must be 0 (all) or more, got " + eval);
        boolean watching = !noView;
        if (watching && !headless && GraphicsEnvironment.isHeadless()) {
            throw new FilterScopeException("No display: the live view needs a graphical desktop; add --headless"
                    + " to write the frames as PNGs and a GIF into --out instead");
        }
        if (watching && headless && Files.exists(out) && !Files.isDirectory(out)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, out + ": is a file; give --out a folder for the frames");
        }
        if (save != null && Files.isDirectory(save)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, save + ": is a folder; give --save a file name such as fashion_cnn_dl4j.zip");
        }
        FashionMnist train = FashionMnist.load(data, true);
        FashionMnist test = FashionMnist.load(data, false);

        NeuralNetwork net = graph ? FashionCnn.graph(seed) : FashionCnn.multiLayer(seed);
        Training.Result result;
        try (Model model = Dl4jBackend.wrap(net, "fashion-cnn (" + (graph ? "ComputationGraph" : "MultiLayerNetwork") + ")",
                1, FashionMnist.SIDE, FashionMnist.SIDE)) {
            if (!watching) {
                result = Training.run(net, train, test, batch, epochs, limit, eval, seed);
            } else {
                FrameSink sink;
                if (headless) {
                    Files.createDirectories(out);
                    sink = new FrameFolder(out);
                } else {
                    sink = new LiveWindow();
                }
                try (FilterWatcher watcher = new FilterWatcher(model, layer, fixedImage(test), every, headless, sink,
                        new FrameRenderer(Colormap.VIRIDIS))) {
                    watcher.snapshot(0, 0, Double.NaN);   // the random start
                    result = Training.run(net, train, test, batch, epochs, limit, eval, seed, watcher);
                }
            }
        }
        stdout.printf("%s: %d iterations in %.1f s (%.1f/s), accuracy %.2f%% on %d test images%n",
                graph ? "ComputationGraph" : "MultiLayerNetwork", result.iterations(), result.seconds(),
                result.iterationsPerSecond(), 100 * result.accuracy(), eval > 0 ? Math.min(eval, test.size()) : test.size());
        if (watching && headless) {
            stdout.println("frames: " + out.resolve("frame-0001.png") + " …, " + out.resolve("training.gif"));
        }
        if (save != null) {
            save(net, save);
            stdout.println("saved: " + save);
        }
        return 0;
    }

    /**
     * Saves with DL4J's own serializer, plus the input shape where FilterScope reads it
     * ({@link Dl4jBackend#saveInputShape}, JSON in the zip): DL4J does not record it for a network that
     * starts with a convolution. Written next to the target and moved into place, so a failure leaves
     * no half file.
     */
    static void save(NeuralNetwork net, Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".filterscope-", ".zip.tmp");
        tmp.toFile().deleteOnExit();   // also when training is stopped with Ctrl-C while saving
        try {
            ModelSerializer.writeModel((org.deeplearning4j.nn.api.Model) net, tmp.toFile(), false);
            Dl4jBackend.saveInputShape(tmp, 1, FashionMnist.SIDE, FashionMnist.SIDE);
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The first test image: always there when the data is, and the same for every run. */
    static Tensor fixedImage(FashionMnist test) {
        DataSet one = test.batch(new int[] {0}, 0, 1);
        return Tensor.of(Shape.of(1, 1, FashionMnist.SIDE, FashionMnist.SIDE), one.getFeatures().data().asFloat());
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, message);
        }
    }
}
