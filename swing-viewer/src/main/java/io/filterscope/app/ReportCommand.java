package io.filterscope.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.io.ImageFolder;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.model.ModelMetadata;
import io.filterscope.model.TensorSpec;
import io.filterscope.predict.Prediction;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Images;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import io.filterscope.preprocess.Preset;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Png;
import io.filterscope.spi.OpenOptions;
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
 * feature maps per image, the top-k predictions and a reproducibility block. Sections are
 * {@code <details>} elements, closed except the summary, and pictures load lazily, so a browser
 * decodes only what is opened; a size budget bounds the file.
 */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Write one self-contained HTML report (works offline, opens in any browser): the model summary, the filters"
                + " of every convolution layer, the feature maps of every layer for each image, the top-k predictions and how it"
                + " was all made (model SHA-256, FilterScope version, backend, provider, preprocessing, parameters)."})
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
            description = "Largest size of the embedded pictures; pictures past it are left out with a note. Default: ${DEFAULT-VALUE}.")
    int budgetMb;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true, description = "The folder to write report.html to.")
    Path output;

    private long budgetLeft;
    private int omitted;

    @Override
    public Integer call() {
        if (top < 1 || maxImages < 1 || budgetMb < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--top, --max-images and --budget-mb must be 1 or more");
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
        budgetLeft = (long) budgetMb << 20;
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
            summary(h, model, meta, sha);
            filters(h, model);
            h.append("<section id=\"images\"><h2>Images</h2>\n");
            int shown = 0;
            for (Path img : images) {
                shown += image(h, model, ref, prep, img) ? 1 : 0;
            }
            h.append("</section>\n");
            h.append("<section id=\"explanations\"><h2>Explanations</h2><p>Not part of this build of FilterScope.</p></section>\n");
            reproducibility(h, ref, sha, version, backend, prep);
            if (shown == 0) {
                throw new FilterScopeException(ErrorKind.INVALID_DATA, "none of the " + images.size() + " images could be read");
            }
        }
        if (omitted > 0) {
            h.append("<p class=\"omitted\">").append(omitted).append(" pictures left out: the size budget of ").append(budgetMb)
                    .append(" MB was reached (raise it with --budget-mb).</p>\n");
        }
        h.append("</body></html>\n");
        plan.add(FILE, h.toString().getBytes(StandardCharsets.UTF_8));
        ObjectNode index = OutputPlan.json().createObjectNode();
        index.put("model", ref.display());
        index.put("command", "report");
        index.put("sha256", sha);
        index.put("file", FILE);
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

    private void filters(StringBuilder h, Model model) {
        h.append("<section id=\"filters\"><h2>Filters</h2>\n");
        for (LayerInfo l : model.layers()) {
            if (!l.kind().hasFilters()) {
                continue;
            }
            FilterBank bank = model.filters(l.name());
            h.append("<details class=\"filters\"><summary>").append(esc(l.name())).append(" ").append(bank.shape()).append("</summary>");
            picture(h, GridRenderer.filters(bank, GridStyle.filters()), "filters of " + l.name());
            h.append("</details>\n");
        }
        h.append("</section>\n");
    }

    private boolean image(StringBuilder h, Model model, ModelRef ref, Preprocessing prep, Path file) {
        BufferedImage img;
        try {
            img = Images.read(file);
        } catch (FilterScopeException e) {
            err().println("skipped: " + Main.oneLine(e.getMessage()));
            return false;
        }
        Preprocessing p = prep.forImage(img.getHeight(), img.getWidth(), io.filterscope.preprocess.FreeSize.DEFAULT);
        Tensor in = Preprocessor.apply(img, p);
        // Closed once drawn: the next image's capture reuses the memory.
        try (Activations acts = model.capture(in, CaptureRequest.allSpatial())) {
            String name = file.getFileName().toString();
            h.append("<article class=\"image\"><h3>").append(esc(name)).append("</h3>");
            picture(h, Preprocessor.toImage(in, p), "what the model sees");
            Tensor out = acts.output();
            try {
                int items = out.shape().rank() <= 1 ? 1 : (int) out.shape().dim(0);
                int classes = out.size() / Math.max(1, items);
                LabelFiles.Labels names = LabelFiles.resolve(ref, null, classes);
                h.append("<table class=\"predictions\"><tr><th>class</th><th>probability</th></tr>");
                for (Prediction pr : Predictions.topK(out, 0, names.names(), Math.min(top, classes))) {
                    h.append("<tr><td>").append(esc(pr.label())).append("</td><td>")
                            .append(String.format(Locale.ROOT, "%.2f%%", 100.0 * pr.probability())).append("</td></tr>");
                }
                h.append("</table>");
            } catch (FilterScopeException e) {
                h.append("<p>No class scores: ").append(esc(e.getMessage())).append("</p>");
            }
            for (LayerOutput lo : acts.layers()) {
                if (!lo.isSpatial()) {
                    continue;
                }
                h.append("<details class=\"maps\"><summary>").append(esc(lo.layer().name())).append(" ").append(lo.values().shape())
                        .append("</summary>");
                picture(h, GridRenderer.featureMaps(lo.featureMaps(0), GridStyle.featureMaps()), "feature maps of " + lo.layer().name());
                h.append("</details>\n");
            }
        }
        h.append("</article>\n");
        return true;
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
        h.append("</table></section>\n");
    }

    private void picture(StringBuilder h, BufferedImage img, String alt) {
        byte[] png = Png.encode(img);
        long size = (png.length + 2L) / 3 * 4;
        if (size > budgetLeft) {
            omitted++;
            h.append("<p class=\"omitted\">").append(esc(alt)).append(": left out (size budget)</p>");
            return;
        }
        budgetLeft -= size;
        // Small pictures (a 28×28 input) are shown enlarged, pixels kept crisp by the style.
        int scale = Math.max(1, 112 / Math.max(1, Math.max(img.getWidth(), img.getHeight())));
        h.append("<img loading=\"lazy\" alt=\"").append(esc(alt)).append("\" width=\"").append(img.getWidth() * scale).append("\" height=\"")
                .append(img.getHeight() * scale).append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png)).append("\">");
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
