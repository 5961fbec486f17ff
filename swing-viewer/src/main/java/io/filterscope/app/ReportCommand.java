package io.filterscope.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.explain.ExplainRequest;
import io.filterscope.explain.Explainer;
import io.filterscope.explain.Explanation;
import io.filterscope.explain.Method;
import io.filterscope.io.ImageFolder;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.model.ModelMetadata;
import io.filterscope.model.TensorSpec;
import io.filterscope.predict.Prediction;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.ImageBatches;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.preprocess.Preset;
import io.filterscope.render.Colormap;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Png;
import io.filterscope.spi.OpenOptions;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code filterscope report}: one self-contained HTML file (pictures embedded as data URLs, no
 * script, no network) with the model summary, every conv layer's filters, every spatial layer's
 * feature maps per image, the top-k predictions, an explanation of each image's top-1 class and a
 * reproducibility block. Sections are
 * {@code <details>} elements, closed except the summary, and pictures load lazily, so a browser
 * decodes only what is opened; a size budget bounds the file. The budget is shared so that a large
 * model's filters cannot crowd out what the report is for: the filter grids may take a quarter of it
 * and each image an equal share of the rest (its input, predictions and explanation first, then its
 * feature maps), and a wide filter bank is drawn in part (its first filters and input channels, the
 * report saying which and how to draw the whole).
 */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Write one self-contained HTML report (works offline, opens in any browser): the model summary, the filters"
                + " of every convolution layer, the feature maps of every layer for each image, the top-k predictions, an explanation"
                + " of each image's top class and how it was all made (model SHA-256, FilterScope version, backend, provider, preprocessing, parameters)."})
final class ReportCommand extends ModelCommand {
    static final String FILE = "report.html";

    @Mixin
    RunOptions runOptions;

    @Override
    OpenOptions openOptions() {
        return runOptions.apply(super.openOptions());
    }

    @Option(names = "--image", paramLabel = "FILE", description = "An image to show the feature maps of (repeatable).")
    List<Path> imageFiles = new ArrayList<>();

    @Option(names = "--images", paramLabel = "DIR", description = "A folder of images (the first --max-images of it).")
    Path folder;

    @Option(names = "--max-images", paramLabel = "N", defaultValue = "8", description = "At most this many images. Default: ${DEFAULT-VALUE}.")
    int maxImages;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Classes shown per image. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "How to normalise the images: imagenet, caffe, tf, unit or raw (default: chosen for the model).")
    String preset;

    @Option(names = "--budget-mb", paramLabel = "MB", defaultValue = "50",
            description = "Largest size of the embedded pictures: the filter grids may take a quarter of it, each image an equal share of the"
                + " rest (its input and explanation before its feature maps); pictures past a share are left out with a note."
                + " Default: ${DEFAULT-VALUE}.")
    double budgetMb;

    @Option(names = "--explain", paramLabel = "METHOD", defaultValue = "auto",
            description = {"How each image's top class is explained: auto (gradcam when the model has gradients, else scorecam on the "
                + ScoreCamDefaults.TOP_CHANNELS + " channels that vary most), none, or a method of `filterscope explain` with its"
                + " default settings. Default: ${DEFAULT-VALUE}."})
    String explain;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true, description = "The folder to write report.html to.")
    Path output;

    /** The cheap forward-only setting used when a model has no gradients. */
    static final class ScoreCamDefaults {
        /** Faster Score-CAM: the masked runs are this many, whatever the layer's width. */
        static final int TOP_CHANNELS = 16;

        private ScoreCamDefaults() {
        }
    }

    /** How explanations are drawn over the picture the model saw. */
    static final Colormap EXPLAIN_COLORMAP = Colormap.INFERNO;
    static final float EXPLAIN_ALPHA = 0.5f;

    /**
     * The filter grids may take this fraction of the budget (1/FILTER_SHARE); what they leave is
     * the images'. Without it a ResNet-50's filters alone filled 50 MB and no image's maps were shown.
     */
    static final int FILTER_SHARE = 4;
    /** A filter grid in the report shows at most this many filters (output channels)... */
    static final int DRAWN_FILTERS = 64;
    /** ...and, where each input channel has its own tile, at most this many input channels. */
    static final int DRAWN_INPUTS = 16;
    /**
     * The tiles of a grid drawn in part are at least this many pixels across: a report shows every
     * layer, and a 1 × 1 weight needs no 48-pixel tile (GridRenderer's automatic size).
     */
    static final int DRAWN_TILE = 16;

    /** A report is one string in memory, which Java bounds at 2 GiB. */
    static final int MAX_BUDGET_MB = 1024;

    /** What the filter grids may still take. */
    private Allowance filterAllowance;
    /** What the images may still take, shared among those not yet written. */
    private long imagesBudget;
    private int imagesLeft;
    private int omitted;
    /** The request every image is explained with; empty with {@code --explain none}. */
    private Optional<ExplainRequest> explainRequest = Optional.empty();
    /** What each image's explanation was, for the reproducibility block: image name, then method/layer/class. */
    private final List<String[]> explained = new ArrayList<>();

    @Override
    public Integer call() {
        if (top < 1 || maxImages < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--top and --max-images must be 1 or more");
        }
        if (!(budgetMb > 0 && budgetMb <= MAX_BUDGET_MB)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--budget-mb must be more than 0 and at most " + MAX_BUDGET_MB
                    + " (megabytes; fractions such as 0.5 are allowed)");
        }
        Optional<Preset> chosen = preset == null ? Optional.empty() : Optional.of(Preset.parse(preset));
        OutputPlan.checkWritable(output);
        ModelRef ref = modelRef();
        List<Path> images = new ArrayList<>();
        for (Path p : imageFiles) {
            requireReadable(p, "an image");
            images.add(p);
        }
        if (folder != null) {
            images.addAll(ImageFolder.of(folder).files());
        }
        if (images.isEmpty()) {
            if (!ref.bundled()) {
                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "give images: --image FILE... or --images DIR");
            }
            images.add(BundledModel.get().defaultImage());
        }
        if (images.size() > maxImages) {
            images = images.subList(0, maxImages);
        }
        long budget = (long) (budgetMb * (1 << 20));
        filterAllowance = new Allowance(budget / FILTER_SHARE);
        imagesLeft = images.size();
        String sha = sha256(ref.file());
        String version = new Main.Version().getVersion()[0];
        StringBuilder h = new StringBuilder(1 << 16);
        List<Path> inputs = new ArrayList<>(images);
        inputs.add(ref.file());
        OutputPlan plan = new OutputPlan(output, inputs);
        String backend;
        try (Model model = openModel()) {
            ModelMetadata meta = model.metadata();
            backend = common.backend != null ? common.backend : meta.format().toLowerCase(Locale.ROOT);
            Preprocessing prep = Preprocessing.forModel(meta, chosen);
            head(h, ref.display());
            h.append("<h1>FilterScope report: ").append(esc(ref.display())).append("</h1>\n");
            explainRequest = explainRequest(model, explain);
            summary(h, model, meta, sha);
            filters(h, model, ref);
            imagesBudget = budget - filterAllowance.used();
            h.append("<section id=\"images\"><h2>Images</h2>\n");
            int shown = images(h, model, ref, prep, images);
            h.append("</section>\n");
            reproducibility(h, ref, sha, version, backend, prep);
            if (shown == 0) {
                throw new FilterScopeException(ErrorKind.INVALID_DATA, "none of the " + images.size() + " images could be read");
            }
        }
        if (omitted > 0) {
            h.append("<p class=\"omitted\">").append(omitted).append(" pictures left out: the size budget of ").append(mb(budgetMb))
                    .append(" MB was reached (the filters may take a quarter of it, each image an equal share of the rest;"
                            + " raise it with --budget-mb).</p>\n");
        }
        h.append("</body></html>\n");
        plan.add(FILE, h.toString().getBytes(StandardCharsets.UTF_8));
        ObjectNode index = OutputPlan.json().createObjectNode();
        index.put("model", ref.display());
        index.put("command", "report");
        index.put("sha256", sha);
        index.put("file", FILE);
        explainRequest.ifPresent(r -> describe(index.putObject("explanation"), r));
        plan.write(index);
        out().println("wrote " + output.resolve(FILE) + (omitted > 0 ? " (" + omitted + " pictures over the size budget left out)" : ""));
        out().flush();
        return 0;
    }

    private static void head(StringBuilder h, String title) {
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>FilterScope report: ").append(esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:1.5em;max-width:1400px}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}summary{cursor:pointer;margin:.3em 0}"
                        + "img{max-width:100%;image-rendering:pixelated}.omitted{color:#a00}</style></head><body>\n");
    }

    private static void summary(StringBuilder h, Model model, ModelMetadata meta, String sha) {
        h.append("<section id=\"summary\"><h2>Model</h2><table>\n");
        row(h, "file", meta.file().getFileName().toString());
        row(h, "format", meta.format() + (meta.formatVersion().isEmpty() ? "" : " (" + meta.formatVersion() + ")"));
        row(h, "producer", meta.producer());
        row(h, "size", String.format(Locale.ROOT, "%,d bytes", meta.fileSize()));
        row(h, "SHA-256", sha);
        for (TensorSpec t : meta.inputs()) {
            row(h, "input " + t.name(), t.describeShape() + " " + t.elementType());
        }
        for (TensorSpec t : meta.outputs()) {
            row(h, "output " + t.name(), t.describeShape() + " " + t.elementType());
        }
        h.append("</table>\n<details open><summary>").append(model.layers().size()).append(" layers</summary><table>")
                .append("<tr><th>#</th><th>layer</th><th>op</th><th>kind</th><th>output</th><th>filters</th></tr>\n");
        for (LayerInfo l : model.layers()) {
            h.append("<tr><td>").append(l.index()).append("</td><td>").append(esc(l.name())).append("</td><td>").append(esc(l.op()))
                    .append("</td><td>").append(l.kind().toString().toLowerCase(Locale.ROOT)).append("</td><td>")
                    .append(l.outputShape().map(Object::toString).orElse("")).append("</td><td>")
                    .append(l.filterShape().map(Object::toString).orElse("")).append("</td></tr>\n");
        }
        h.append("</table></details></section>\n");
    }

    private void filters(StringBuilder h, Model model, ModelRef ref) {
        h.append("<section id=\"filters\"><h2>Filters</h2>\n");
        for (LayerInfo l : model.layers()) {
            if (!l.kind().hasFilters()) {
                continue;
            }
            FilterBank bank = model.filters(l.name());
            DrawnFilters drawn = DrawnFilters.of(bank);
            h.append("<details class=\"filters\"><summary>").append(esc(l.name())).append(" ").append(bank.shape()).append("</summary>");
            if (drawn.isPart()) {
                h.append("<p class=\"drawn\">Drawn: ").append(esc(drawn.describe(bank)))
                        .append(". The whole grid: <code>filterscope filters ").append(ref.bundled() ? "" : esc(shellWord(ref.display())) + " ").append("--layer ")
                        .append(esc(shellWord(l.name()))).append(" -o DIR</code></p>");
            }
            GridStyle style = drawn.isPart() ? GridStyle.filters().withTileScale(drawn.tileScale()) : GridStyle.filters();
            picture(h, GridRenderer.filters(drawn.bank(), style), "filters of " + l.name(), filterAllowance);
            h.append("</details>\n");
        }
        h.append("</section>\n");
    }

    private static String mb(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** {@code s} as one word of a POSIX shell command line. */
    static String shellWord(String s) {
        return s.matches("[A-Za-z0-9_./:=+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * The part of a filter bank a report draws: all of it when it has at most {@link #DRAWN_FILTERS}
     * filters and (where input channels have tiles of their own) {@link #DRAWN_INPUTS} input
     * channels, else the first that many of each. A 1024 × 256 × 1 × 1 bank drawn whole is a
     * 64-megapixel picture (a 4 MB PNG), slow to draw and to encode and no use at a glance.
     *
     * @param bank    the filters drawn
     * @param filters how many of the bank's filters {@code bank} holds
     * @param inputs  how many input channels per filter it holds
     * @param part    whether that is less than the whole bank
     */
    record DrawnFilters(FilterBank bank, int filters, int inputs, boolean part) {

        static DrawnFilters of(FilterBank full) {
            int out = full.outChannels();
            int depth = full.inChannelsPerGroup();
            // GridRenderer draws one tile per filter for these: an RGB first layer, a depthwise layer.
            boolean tilePerFilter = depth == 1 || (depth == 3 && full.groups() == 1);
            int keepOut = Math.min(out, DRAWN_FILTERS);
            int keepIn = tilePerFilter ? depth : Math.min(depth, DRAWN_INPUTS);
            if (keepOut == out && keepIn == depth) {
                return new DrawnFilters(full, out, depth, false);
            }
            int plane = full.kernelHeight() * full.kernelWidth();
            float[] w = new float[keepOut * keepIn * plane];
            for (int o = 0; o < keepOut; o++) {
                full.weights().copyTo(o * depth * plane, w, o * keepIn * plane, keepIn * plane);
            }
            Optional<Tensor> bias = full.bias().map(b -> {
                float[] v = new float[keepOut];
                b.copyTo(0, v, 0, keepOut);
                return Tensor.wrap(Shape.of(keepOut), v);
            });
            FilterBank part = new FilterBank(full.layer(), Tensor.wrap(Shape.of(keepOut, keepIn, full.kernelHeight(), full.kernelWidth()), w),
                    bias, full.stride(), full.padding(), full.dilation(), full.groups(), full.transposed(), full.weightTensor());
            return new DrawnFilters(part, keepOut, keepIn, true);
        }

        boolean isPart() {
            return part;
        }

        /** Pixels per weight: tiles of about {@link #DRAWN_TILE} pixels. */
        int tileScale() {
            int k = Math.max(bank.kernelHeight(), bank.kernelWidth());
            return Math.max(1, (DRAWN_TILE + k - 1) / k);
        }

        /** What was drawn of {@code full}, in words. */
        String describe(FilterBank full) {
            List<String> s = new ArrayList<>();
            if (filters < full.outChannels()) {
                s.add("filters 0-" + (filters - 1) + " of " + full.outChannels());
            }
            if (inputs < full.inChannelsPerGroup()) {
                s.add("input channels 0-" + (inputs - 1) + " of " + full.inChannelsPerGroup());
            }
            return String.join(", ", s) + " (colours scaled to the weights drawn)";
        }
    }

    /**
     * Every image's article, in the order given. A model with a free batch size is captured one image
     * at a time (the memory for one image's maps: a ResNet-50 has tens of megabytes of them); one that
     * fixes its batch is captured in batches of exactly that size, the short last one padded
     * ({@link ImageBatches}), and the results split per image.
     *
     * @return the number of images shown
     */
    private int images(StringBuilder h, Model model, ModelRef ref, Preprocessing prep, List<Path> files) {
        return ImageBatches.forEach(files, prep, FreeSize.DEFAULT, model.metadata(), 1, new ImageBatches.Listener() {
            @Override
            public void skipped(Path file, String reason) {
                err().println("skipped: " + Main.oneLine(reason));
                imagesLeft--;
            }
        }, b -> batch(h, model, ref, b));
    }

    /** One captured batch: each real image's article (the padding's outputs are nobody's and are not read). */
    private void batch(StringBuilder h, Model model, ModelRef ref, ImageBatches.Batch b) {
        int n = b.size();
        Article[] articles = new Article[n];
        // Closed once drawn: the next batch's capture, and the explanations' runs, reuse the memory.
        try (Activations acts = model.capture(b.input(), CaptureRequest.allSpatial())) {
            Tensor out = acts.output();
            for (int i = 0; i < n; i++) {
                Tensor in = item(b.input(), i);
                Article a = new Article(b.files().get(i).getFileName().toString(), in, Preprocessor.toImage(in, b.preprocessing()));
                articles[i] = a;
                a.text("<article class=\"image\"><h3>").text(esc(a.name)).text("</h3>");
                a.firstPicture(a.seen, "what the model sees");
                predictions(a, ref, out, i);
                for (LayerOutput lo : acts.layers()) {
                    if (!lo.isSpatial()) {
                        continue;
                    }
                    a.text("<details class=\"maps\"><summary>").text(esc(lo.layer().name())).text(" ").text(String.valueOf(lo.values().shape().with(0, 1)))
                            .text("</summary>");
                    a.picture(GridRenderer.featureMaps(lo.featureMaps(i), GridStyle.featureMaps()), "feature maps of " + lo.layer().name());
                    a.text("</details>\n");
                }
            }
        }
        for (Article a : articles) {
            // Written in image order, each image's explanation after its maps, as a one-image batch writes them
            // (so the size budget leaves out the same pictures whatever the batch).
            if (explainRequest.isPresent()) {
                explanation(a, model);
            }
            a.text("</article>\n");
            // Each image gets an equal share of what is left; what one leaves unused goes to those after it.
            Allowance share = new Allowance(imagesBudget / Math.max(1, imagesLeft));
            a.writeTo(h, share);
            imagesBudget -= share.used();
            imagesLeft--;
        }
    }

    /** Item {@code i} of a batch as a one-item batch (a copy: the batch may be lent memory). */
    private static Tensor item(Tensor batch, int i) {
        if (batch.shape().dim(0) == 1) {
            return batch;
        }
        int per = batch.size() / (int) batch.shape().dim(0);
        float[] one = new float[per];
        batch.copyTo(i * per, one, 0, per);
        return Tensor.wrap(batch.shape().with(0, 1), one);
    }

    private void predictions(Article a, ModelRef ref, Tensor out, int item) {
        try {
            int items = out.shape().rank() <= 1 ? 1 : (int) out.shape().dim(0);
            int classes = out.size() / Math.max(1, items);
            LabelFiles.Labels names = LabelFiles.resolve(ref, null, classes);
            a.labels = names.names();
            a.text("<table class=\"predictions\"><tr><th>class</th><th>probability</th></tr>");
            for (Prediction pr : Predictions.topK(out, item, names.names(), Math.min(top, classes))) {
                a.text("<tr><td>").text(esc(pr.label())).text("</td><td>")
                        .text(String.format(Locale.ROOT, "%.2f%%", 100.0 * pr.probability())).text("</td></tr>");
            }
            a.text("</table>");
        } catch (FilterScopeException e) {
            a.text("<p>No class scores: ").text(esc(e.getMessage())).text("</p>");
        }
    }

    /**
     * One image's article while its batch is captured: text and encoded pictures in order. The
     * pictures are weighed against the image's share of the budget only when written, in image
     * order: first those that say what the model made of the image (what it saw, the explanation),
     * then the feature maps in layer order.
     */
    private final class Article {
        final String name;
        final Tensor input;
        final BufferedImage seen;
        List<String> labels = List.of();
        private final List<Object> pieces = new ArrayList<>();
        private StringBuilder text = new StringBuilder();

        Article(String name, Tensor input, BufferedImage seen) {
            this.name = name;
            this.input = input;
            this.seen = seen;
        }

        Article text(String s) {
            text.append(s);
            return this;
        }

        /** A feature-map grid: shown if the image's share has room once its first pictures are in. */
        void picture(BufferedImage img, String alt) {
            add(img, alt, false);
        }

        /** A picture shown before any feature map: what the model saw, the explanation. */
        void firstPicture(BufferedImage img, String alt) {
            add(img, alt, true);
        }

        private void add(BufferedImage img, String alt, boolean first) {
            pieces.add(text);
            pieces.add(new Placed(Encoded.of(img, alt), first));
            text = new StringBuilder();
        }

        void writeTo(StringBuilder h, Allowance share) {
            for (boolean first : new boolean[] {true, false}) {
                for (Object p : pieces) {
                    if (p instanceof Placed pl && pl.first == first) {
                        pl.shown = share.take(pl.pic.dataUrlSize());
                    }
                }
            }
            for (Object p : pieces) {
                if (p instanceof Placed pl) {
                    embed(h, pl.pic, pl.shown);
                } else {
                    h.append((CharSequence) p);
                }
            }
            h.append(text);
        }
    }

    /** A picture in an article, whether it comes first for the budget and whether it is shown. */
    private static final class Placed {
        final Encoded pic;
        final boolean first;
        boolean shown;

        Placed(Encoded pic, boolean first) {
            this.pic = pic;
            this.first = first;
        }
    }

    /** A picture as PNG bytes, with the size it is drawn at and its alternative text. */
    private record Encoded(byte[] png, int width, int height, String alt) {
        static Encoded of(BufferedImage img, String alt) {
            return new Encoded(Png.encode(img), img.getWidth(), img.getHeight(), alt);
        }

        /** Its size in the file, as base64. */
        long dataUrlSize() {
            return (png.length + 2L) / 3 * 4;
        }
    }

    /** A part of the size budget: what it may still take, and what it took. */
    private static final class Allowance {
        private final long limit;
        private long used;

        Allowance(long limit) {
            this.limit = limit;
        }

        /** Takes {@code size} bytes if they fit. */
        boolean take(long size) {
            if (size > limit - used) {
                return false;
            }
            used += size;
            return true;
        }

        long used() {
            return used;
        }
    }

    /**
     * The request for {@code --explain}: Grad-CAM of the top-1 class where the model has gradients,
     * else the cheap forward-only Score-CAM; occlusion for a model with no spatial layer (no CAM).
     */
    static Optional<ExplainRequest> explainRequest(Model model, String option) {
        String o = option.trim().toLowerCase(Locale.ROOT);
        if (o.equals("none")) {
            return Optional.empty();
        }
        Method m;
        if (o.equals("auto")) {
            m = model.capabilities().contains(Capability.GRADIENTS) ? Method.GRAD_CAM : Method.SCORE_CAM;
        } else {
            m = Method.parse(o);
            if (m.needsGradients() && !model.capabilities().contains(Capability.GRADIENTS)) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, model.metadata().file().getFileName() + ": --explain " + m.id()
                        + " needs gradients, which this model does not offer; use auto, none or a forward-only method: "
                        + Method.forwardOnlyIds());
            }
        }
        boolean anySpatial = model.layers().stream().anyMatch(LayerInfo::hasSpatialOutput);
        if (m.isCam() && !anySpatial) {
            m = Method.OCCLUSION;
        }
        ExplainRequest r = ExplainRequest.of(m);
        if (o.equals("auto") && m == Method.SCORE_CAM) {
            r = r.withTopChannels(ScoreCamDefaults.TOP_CHANNELS);
        }
        // The layer is fixed once, by name, so every image is explained at the same one.
        return Optional.of(m.isCam() ? r.atLayer(new Explainer(model).defaultLayer().name()) : r);
    }

    private void explanation(Article a, Model model) {
        ExplainRequest r = explainRequest.orElseThrow();
        Explanation e;
        try {
            e = new Explainer(model).explain(a.input, r);
        } catch (FilterScopeException ex) {
            // One image the method cannot explain (say, a model output that is not a class score) does not sink the report.
            a.text("<p class=\"explanation\">No explanation: ").text(esc(Main.oneLine(ex.getMessage()))).text("</p>");
            explained.add(new String[] {a.name, "none (" + Main.oneLine(ex.getMessage()) + ")"});
            return;
        }
        String label = e.outputIndex() < a.labels.size() ? a.labels.get(e.outputIndex()) : "class " + e.outputIndex();
        String what = describe(e, label);
        a.text("<details class=\"explanation\" open><summary>Explanation: ").text(esc(what)).text("</summary>");
        a.firstPicture(e.heatmap().overlay(a.seen, EXPLAIN_COLORMAP, EXPLAIN_ALPHA), "explanation of " + a.name);
        a.text("</details>\n");
        explained.add(new String[] {a.name, what});
    }

    private static String describe(Explanation e, String label) {
        return e.method().id() + e.layer().map(l -> " at " + l).orElse("") + ", class " + e.outputIndex() + " (" + label + "), score "
                + String.format(Locale.ROOT, "%.4g", e.score());
    }

    /** The request's settings, as the reproducibility block and index.json record them. */
    static String settings(ExplainRequest r) {
        StringBuilder s = new StringBuilder(r.method().id());
        r.layer().ifPresent(l -> s.append(", layer ").append(l));
        s.append(", class ").append(r.outputIndex().isPresent() ? Integer.toString(r.outputIndex().getAsInt()) : "top-1");
        switch (r.method()) {
            case SCORE_CAM -> s.append(", top channels ").append(r.topChannels() == 0 ? "all" : Integer.toString(r.topChannels()))
                    .append(", batch ").append(r.batchSize());
            case OCCLUSION -> s.append(", window ").append(r.occlusion().window() == 0 ? "auto (1/8 of the shorter side)" : r.occlusion().window())
                    .append(", stride ").append(r.occlusion().stride() == 0 ? "auto (half the window)" : r.occlusion().stride())
                    .append(", baseline ").append(r.occlusion().baseline()).append(", batch ").append(r.batchSize());
            case SMOOTH_GRAD -> s.append(", noise ").append(r.smoothGrad().noise()).append(", samples ").append(r.smoothGrad().samples())
                    .append(", seed ").append(r.smoothGrad().seed());
            default -> {
            }
        }
        s.append(", colormap ").append(EXPLAIN_COLORMAP.toString().toLowerCase(Locale.ROOT)).append(", alpha ").append(EXPLAIN_ALPHA);
        return s.toString();
    }

    private static void describe(ObjectNode node, ExplainRequest r) {
        node.put("method", r.method().id());
        if (r.layer().isPresent()) {
            node.put("layer", r.layer().get());
        } else {
            node.putNull("layer");
        }
        node.put("class", "top-1");
        ObjectNode settings = node.putObject("settings");
        switch (r.method()) {
            case SCORE_CAM -> settings.put("top_channels", r.topChannels()).put("batch", r.batchSize());
            case OCCLUSION -> settings.put("window", r.occlusion().window()).put("stride", r.occlusion().stride())
                    .put("baseline", r.occlusion().baseline()).put("batch", r.batchSize());
            case SMOOTH_GRAD -> settings.put("noise", r.smoothGrad().noise()).put("samples", r.smoothGrad().samples())
                    .put("seed", r.smoothGrad().seed());
            default -> {
            }
        }
        node.put("colormap", EXPLAIN_COLORMAP.toString().toLowerCase(Locale.ROOT));
        node.put("alpha", EXPLAIN_ALPHA);
    }

    private void reproducibility(StringBuilder h, ModelRef ref, String sha, String version, String backend, Preprocessing prep) {
        h.append("<section id=\"reproducibility\"><h2>Reproducibility</h2><table>\n");
        row(h, "model", ref.display());
        row(h, "model SHA-256", sha);
        row(h, "FilterScope", version);
        row(h, "backend", backend);
        row(h, "execution provider", runOptions.provider.toString().toLowerCase(Locale.ROOT));
        row(h, "preprocessing", prep.toString());
        row(h, "parameters", String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        row(h, "explanations", explainRequest.map(ReportCommand::settings).orElse("none (--explain none)"));
        for (String[] e : explained) {
            row(h, "explanation of " + e[0], e[1]);
        }
        h.append("</table></section>\n");
    }

    private void picture(StringBuilder h, BufferedImage img, String alt, Allowance allowance) {
        Encoded pic = Encoded.of(img, alt);
        embed(h, pic, allowance.take(pic.dataUrlSize()));
    }

    private void embed(StringBuilder h, Encoded pic, boolean shown) {
        if (!shown) {
            omitted++;
            h.append("<p class=\"omitted\">").append(esc(pic.alt())).append(": left out (size budget)</p>");
            return;
        }
        // Small pictures (a 28×28 input) are shown enlarged, pixels kept crisp by the style.
        int scale = Math.max(1, 112 / Math.max(1, Math.max(pic.width(), pic.height())));
        h.append("<img loading=\"lazy\" alt=\"").append(esc(pic.alt())).append("\" width=\"").append(pic.width() * scale).append("\" height=\"")
                .append(pic.height() * scale).append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(pic.png())).append("\">");
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot be read (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
