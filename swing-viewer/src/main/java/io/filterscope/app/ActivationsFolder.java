package io.filterscope.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.Names;
import io.filterscope.io.ImageFolder;
import io.filterscope.io.OutputFolder;
import io.filterscope.model.Activations;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerOutput;
import io.filterscope.model.Model;
import io.filterscope.predict.Prediction;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.ImageBatches;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.render.GridRenderer;
import io.filterscope.render.GridStyle;
import io.filterscope.render.Png;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code filterscope activations --image DIR}: the feature maps of every image of a folder, one
 * sub-folder per image ({@code DIR-NAME/LAYER.activations.png}), run in batches so memory holds one
 * batch whatever the folder's size. Files are written as each batch is done (each atomically); if
 * the run fails on the way, the files it created are removed again, so a failed run leaves nothing;
 * {@code index.json} comes last. Unreadable images are reported and skipped.
 */
final class ActivationsFolder {
    private ActivationsFolder() {
    }

    /** Runs it; returns the summary line. */
    static String run(Model model, ModelCommand.ModelRef ref, ImageFolder folder, List<String> layers, Preprocessing prep, FreeSize rule,
                      int batch, GridStyle style, boolean npy, Path output, Progress progress) {
        OutputFolder out = OutputFolder.prepare(output, concat(folder.files(), ref.file()));
        List<Path> created = new ArrayList<>();
        ObjectNode index = OutputPlan.json().createObjectNode();
        index.put("model", ref.display());
        index.put("command", "activations");
        ObjectNode inputNode = index.putObject("input");
        inputNode.put("folder", folder.dir().toString());
        inputNode.put("kind", "folder");
        try {
            index.set("preprocessing", OutputPlan.json().valueToTree(prep));
        } catch (IllegalArgumentException e) {
            index.put("preprocessing", prep.toString());
        }
        index.put("colormap", style.colormap().toString().toLowerCase(Locale.ROOT));
        index.put("normalization", style.normalization().toString().toLowerCase(Locale.ROOT));
        ArrayNode images = index.putArray("images");
        Set<String> stems = new HashSet<>();
        stems.add("index");
        CaptureRequest request = CaptureRequest.layers(layers);
        List<String> labels = new ArrayList<>();
        boolean[] classifier = {true};
        int[] grids = {0};
        int ran;
        try {
            ran = ImageBatches.forEach(folder.files(), prep, rule, model.metadata(), batch, progress, b -> {
                // Closed after the batch is drawn: the next batch reuses the memory.
                try (Activations acts = model.capture(b.input(), request)) {
                    if (acts.layers().isEmpty()) {
                        throw new FilterScopeException(ErrorKind.UNSUPPORTED, ref.display() + ": has no layer with a spatial (N×C×H×W) output; nothing to draw");
                    }
                    for (int item = 0; item < b.size(); item++) {
                        String name = folder.name(b.files().get(item));
                        String stem = unique(stems, Names.sanitize(name.replaceFirst("\\.[^./]+$", "")));
                        ObjectNode entry = images.addObject();
                        entry.put("file", name);
                        entry.put("folder", stem);
                        ArrayNode files = entry.putArray("layers");
                        Set<String> layerStems = new HashSet<>();
                        for (LayerOutput lo : acts.layers()) {
                            if (!lo.isSpatial()) {
                                throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, ref.display() + ": layer '" + lo.layer().name() + "' outputs "
                                        + lo.values().shape() + ", not N×C×H×W feature maps; nothing to draw for it");
                            }
                            String ls = unique(layerStems, Names.sanitize(lo.layer().name()));
                            ObjectNode le = files.addObject();
                            le.put("layer", lo.layer().name());
                            ArrayNode fn = le.putArray("files");
                            String png = stem + "/" + ls + ".activations.png";
                            write(out, created, png, Png.encode(GridRenderer.featureMaps(lo.featureMaps(item), style)));
                            fn.add(png);
                            if (npy) {
                                String n = stem + "/" + ls + ".activations.npy";
                                write(out, created, n, Npy.toBytes(lo.values().slice(item).reshape(
                                        lo.values().shape().with(0, 1))));
                                fn.add(n);
                            }
                            grids[0]++;
                        }
                        if (classifier[0]) {
                            try {
                                Tensor o = acts.output();
                                int items = o.shape().rank() <= 1 ? 1 : (int) o.shape().dim(0);
                                int classes = o.size() / Math.max(1, items);
                                if (labels.isEmpty()) {
                                    labels.addAll(LabelFiles.resolve(ref, null, classes).names());
                                }
                                ArrayNode top = entry.putArray("top");
                                for (Prediction p : Predictions.topK(o, item, labels, Math.min(5, classes))) {
                                    top.addObject().put("class", p.index()).put("label", p.label()).put("probability", p.probability());
                                }
                            } catch (FilterScopeException e) {
                                classifier[0] = false; // not one row of scores per image (a detector): no prediction
                                entry.remove("top");
                            }
                        }
                    }
                }
            });
            if (ran == 0) {
                throw new FilterScopeException(ErrorKind.INVALID_DATA, folder.dir() + ": none of the " + folder.size() + " images could be read");
            }
            ObjectNode summary = index.putObject("summary");
            summary.put("files", folder.size());
            summary.put("drawn", ran);
            summary.put("skipped", folder.size() - ran);
            try {
                write(out, created, OutputPlan.INDEX, OutputPlan.json().writeValueAsBytes(index));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } catch (RuntimeException e) {
            undo(created, out.dir());
            throw e;
        }
        return String.format(Locale.ROOT, "drew %,d feature-map grid%s for %,d image%s (%d skipped) to %s", grids[0], grids[0] == 1 ? "" : "s",
                ran, ran == 1 ? "" : "s", folder.size() - ran, output);
    }

    private static List<Path> concat(List<Path> files, Path model) {
        List<Path> all = new ArrayList<>(files);
        all.add(model);
        return all;
    }

    private static String unique(Set<String> taken, String base) {
        String s = base;
        for (int k = 2; !taken.add(s.toLowerCase(Locale.ROOT)); k++) {
            s = base + "_" + k;
        }
        return s;
    }

    private static void write(OutputFolder out, List<Path> created, String name, byte[] bytes) {
        Path target = out.resolve(name);
        boolean existed = Files.exists(target);
        Path parent = target.getParent();
        boolean parentExisted = Files.exists(parent);
        out.write(name, bytes);
        if (!parentExisted) {
            created.add(parent);
        }
        if (!existed) {
            created.add(target);
        }
    }

    /** Removes what this run created: files, then the sub-folders it made for them. */
    private static void undo(List<Path> created, Path dir) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Path p = created.get(i);
                if (Files.isDirectory(p)) {
                    try (var s = Files.list(p)) {
                        if (s.findAny().isPresent()) {
                            continue;
                        }
                    }
                }
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // keep the original error
            }
        }
    }
}
