package io.filterscope.app;

import io.filterscope.app.viewer.Viewer;
import io.filterscope.spi.OpenOptions;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code filterscope view}: the viewer window; also what {@code filterscope} without arguments runs. */
@Command(name = "view", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Open the viewer window: filters, feature maps and predictions of a model.",
            "Drop model and image files on the window to open them."},
        footer = {"", "Without MODEL the bundled Fashion-MNIST model and a sample image are shown.",
            "Needs a graphical desktop; without one it says so in one line and exits with 2.",
            "On HiDPI screens without automatic scaling, add -Dsun.java2d.uiScale=2 (or -Dflatlaf.uiScale=2) to java."})
final class ViewCommand extends ModelCommand {

    @Mixin
    RunOptions runOptions;

    @Override
    OpenOptions openOptions() {
        return runOptions.apply(super.openOptions());
    }

    @Parameters(index = "1", arity = "0..1", paramLabel = "IMAGE",
            description = "An image to feed the model (PNG, JPEG, BMP, GIF). Default for the bundled model: a sample image.")
    Path image;

    @Override
    public Integer call() {
        Optional<String> noDisplay = Viewer.noDisplay();
        if (noDisplay.isPresent()) {
            // Before the bundled model is extracted: nothing to do without a window.
            err().println(noDisplay.get());
            err().flush();
            return Viewer.EXIT_NO_DISPLAY;
        }
        ModelRef ref = modelRef();
        if (!ref.bundled()) {
            requireReadable(ref.file(), "a model file");
        }
        Optional<Path> input = Optional.ofNullable(image);
        input.ifPresent(i -> requireReadable(i, "an image"));
        boolean sample = input.isEmpty() && ref.bundled();
        if (sample) {
            input = Optional.of(BundledModel.get().defaultImage());
        }
        return Viewer.run(new Viewer.Start(ref.file(), ref.display(), !ref.bundled(), input, !sample, openOptions()), err());
    }
}
