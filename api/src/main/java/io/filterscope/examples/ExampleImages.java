package io.filterscope.examples;

import io.filterscope.model.Model;
import io.filterscope.preprocess.FreeSize;
import io.filterscope.preprocess.Images;
import io.filterscope.preprocess.Preprocessing;
import io.filterscope.preprocess.Preprocessor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The images of a search's examples as the model saw them, and each example's receptive-field
 * patch, for drawing ({@code io.filterscope.render.ExampleGrid}) and for writing down. Each image
 * is decoded once: its picture is kept only until the next image is asked for (the grids fetch every
 * image once, so memory stays at one picture), its input size (two numbers) for as long as the
 * patches need it. Not thread-safe: one drawing at a time.
 */
public final class ExampleImages {
    private final Model model;
    private final String layer;
    private final Function<String, Path> files;
    private final Preprocessing prep;
    private final FreeSize rule;
    private final Map<String, int[]> sizes = new HashMap<>();
    private final Map<String, ReceptiveField> fields = new HashMap<>();
    private String lastName;
    private BufferedImage last;
    private int decoded;

    /**
     * @param model the searched model
     * @param layer the searched layer
     * @param files the file of an image name (e.g. {@code name -> folder.dir().resolve(name)})
     * @param prep  how the search preprocessed the images
     * @param rule  how it chose a free height and width
     */
    public ExampleImages(Model model, String layer, Function<String, Path> files, Preprocessing prep, FreeSize rule) {
        this.model = model;
        this.layer = layer;
        this.files = files;
        this.prep = prep;
        this.rule = rule;
    }

    /** The picture the model saw for image {@code name} (its input as an image, after resize and crop). */
    public BufferedImage view(String name) {
        if (!name.equals(lastName)) {
            BufferedImage img = Images.read(files.apply(name));
            decoded++;
            Preprocessing p = prep.forImage(img.getHeight(), img.getWidth(), rule);
            last = Preprocessor.toImage(Preprocessor.apply(img, p), p);
            lastName = name;
            sizes.put(name, new int[] {p.height(), p.width()});
        }
        return last;
    }

    /** The input size of image {@code name}, {height, width}: the model's own, or the one a free size was given. */
    public int[] inputSize(String name) {
        if (!prep.hasFreeSize()) {
            return new int[] {prep.height(), prep.width()};
        }
        int[] known = sizes.get(name);
        if (known == null) {
            view(name);
            known = sizes.get(name);
        }
        return known.clone();
    }

    /** The input patch under an example's strongest response. */
    public Patch patch(Example e) {
        int[] hw = inputSize(e.image());
        ReceptiveField rf = fields.computeIfAbsent(hw[0] + "x" + hw[1], key -> ReceptiveField.of(model, layer, hw[0], hw[1]));
        return rf.patch(e.y(), e.x(), hw[0], hw[1]);
    }

    /** How many image files have been decoded so far. */
    public int decoded() {
        return decoded;
    }
}
