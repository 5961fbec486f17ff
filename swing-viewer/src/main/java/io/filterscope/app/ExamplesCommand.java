package io.filterscope.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.examples.Example;
import io.filterscope.examples.ExampleImages;
import io.filterscope.examples.ExampleSearch;
import io.filterscope.examples.Patch;
import io.filterscope.examples.ReceptiveField;
import io.filterscope.examples.ScoreKind;
import io.filterscope.examples.TopExamples;
import io.filterscope.io.ImageFolder;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preset;
import io.filterscope.render.ExampleGrid;
import io.filterscope.render.Png;
import io.filterscope.spi.OpenOptions;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code filterscope examples}: for each channel of a layer, the images of a folder that excite it most. */
@Command(name = "examples", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"For each channel of a layer, find the images of a folder that activate it most, with the input patch"
                + " under the strongest response: two PNG grids (whole images with the patch outlined, and the patches) plus index.json.",
            "Forward passes only; memory stays bounded however many images the folder holds."})
final class ExamplesCommand extends ModelCommand {

    @Mixin
    RunOptions runOptions;

    @Override
    OpenOptions openOptions() {
        return runOptions.apply(super.openOptions());
    }

    @Option(names = "--layer", paramLabel = "NAME", required = true,
            description = "The layer whose channels are ranked (`filterscope info` lists the names); it must output feature maps.")
    String layer;

    @Option(names = "--images", paramLabel = "DIR", required = true,
            description = "A folder of images (.png, .jpg, .jpeg, .bmp, .gif; subfolders too). Unreadable ones are reported and skipped.")
    Path images;

    @Option(names = "--top", paramLabel = "K", defaultValue = "9",
            description = "Images kept per channel. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--score", paramLabel = "max|mean", defaultValue = "max",
            description = "A channel's score for an image: the maximum of its activation over positions, or the mean."
                    + " Default: ${DEFAULT-VALUE}.")
    String score;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
            description = "Images per inference. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "How to normalise the images: imagenet, caffe, tf, unit or raw (default: chosen for the model).")
    String preset;

    @Mixin
    SizeOptions size;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true,
            description = "The folder to write to (created when missing).")
    Path output;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--top must be 1 or more, got " + top);
        }
        if (batch < 1) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "--batch must be 1 or more, got " + batch);
        }
        ScoreKind kind = ScoreKind.parse(score);
        FreeSize rule = size.rule();
        Optional<Preset> chosenPreset = preset == null ? Optional.empty() : Optional.of(Preset.parse(preset));
        OutputPlan.checkWritable(output);
        ImageFolder folder = ImageFolder.of(images);
        ModelRef ref = modelRef();
        List<Path> inputs = new ArrayList<>(folder.files());
        inputs.add(ref.file());
        OutputPlan plan = new OutputPlan(output, inputs);
        ObjectNode index = OutputPlan.json().createObjectNode();
        Progress progress = new Progress(err(), Progress.stderrIsTerminal(), "images");
        ExampleSearch.Result result;
        try (Model model = openModel()) {
            LayerInfo info = model.layer(layer);
            Preprocessing prep = Preprocessing.forModel(model.metadata(), chosenPreset);
            result = ExampleSearch.run(model, folder.files(), folder::name, prep,
                    new ExampleSearch.Settings(info.name(), kind, top, batch, rule), progress);
            TopExamples found = result.top();

            ExampleImages seen = new ExampleImages(model, info.name(), n -> folder.dir().resolve(n), prep, rule);
            java.util.function.Function<Example, Patch> patchOf = seen::patch;

            index.put("model", ref.display());
            index.put("command", "examples");
            index.put("images", images.toString());
            index.put("score", kind.id());
            index.put("top", top);
            try {
                index.set("preprocessing", OutputPlan.json().valueToTree(prep));
            } catch (IllegalArgumentException e) {
                index.put("preprocessing", prep.toString());
            }
            ObjectNode summary = index.putObject("summary");
            summary.put("files", folder.size());
            summary.put("ranked", result.images());
            ArrayNode skippedNode = summary.putArray("skipped");
            result.skipped().forEach(s -> skippedNode.addObject().put("file", folder.name(s.file())).put("reason", Main.oneLine(s.reason())));

            ArrayNode layers = index.putArray("layers");
            ObjectNode entry = layers.addObject();
            entry.put("layer", info.name());
            entry.put("node", info.nodeName());
            entry.put("op", info.op());
            int[] firstSize = seen.inputSize(found.channel(0).isEmpty() ? "" : found.channel(0).get(0).image());
            ReceptiveField rf = ReceptiveField.of(model, info.name(), firstSize[0], firstSize[1]);
            ObjectNode rfNode = entry.putObject("receptive_field");
            if (rf.wholeInput()) {
                rfNode.put("whole_input", true);
            } else {
                rfNode.putArray("size").add(rf.sizeY()).add(rf.sizeX());
                rfNode.putArray("stride").add(rf.jumpY()).add(rf.jumpX());
                rfNode.putArray("offset").add(rf.offsetY()).add(rf.offsetX());
            }
            rfNode.put("exact", rf.exact());
            rfNode.put("derivation", rf.derivation());
            ArrayNode files = entry.putArray("files");
            ArrayNode channels = entry.putArray("channels");
            int tile = ExampleGrid.tileFor(firstSize[0], firstSize[1]);
            String stem = plan.stem(info.name());
            String what = String.format(Locale.ROOT, "%s: top %d of %,d images per channel by %s activation", info.name(), top,
                    result.images(), kind.id());
            // Both grids in one pass over the example images, each decoded once (which also learns the
            // input size of each for the index's patches, for a model with a free image size).
            Map<ExampleGrid.Content, BufferedImage> grids = ExampleGrid.drawAll(found, seen::view, patchOf,
                    Map.of(ExampleGrid.Content.IMAGES, what, ExampleGrid.Content.PATCHES, what + ", patches under the strongest response"), tile);
            String imagesPng = stem + ".examples.png";
            plan.add(imagesPng, Png.encode(grids.get(ExampleGrid.Content.IMAGES)));
            files.add(imagesPng);
            String patchesPng = stem + ".patches.png";
            plan.add(patchesPng, Png.encode(grids.get(ExampleGrid.Content.PATCHES)));
            files.add(patchesPng);
            for (int c = 0; c < found.channelCount(); c++) {
                ObjectNode ch = channels.addObject();
                ch.put("channel", c);
                ArrayNode ex = ch.putArray("examples");
                for (Example e : found.channel(c)) {
                    ArrayNode p = ex.addObject().put("image", e.image()).put("score", e.score()).putArray("patch");
                    for (int v : patchOf.apply(e).toArray()) {
                        p.add(v);
                    }
                }
            }
        }
        plan.write(index);
        out().println(String.format(Locale.ROOT, "ranked %,d image%s (%d skipped) for %d channels of %s; wrote 2 grids and index.json to %s",
                result.images(), result.images() == 1 ? "" : "s", result.skipped().size(), result.top().channelCount(),
                result.top().layer(), output));
        out().flush();
        return 0;
    }
}
