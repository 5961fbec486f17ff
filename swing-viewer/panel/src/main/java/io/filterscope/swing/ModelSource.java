package io.filterscope.swing;

import java.nio.file.Path;
import javax.swing.JComponent;

/** The Model tab: what the model file says about itself, filled when the model is set; its SHA-256 follows. */
final class ModelSource implements ContentSource {
    private final ModelInfo info = new ModelInfo();
    private final Background.Lane lane = new Background.Lane("hash");

    @Override
    public ViewTab tab() {
        return ViewTab.MODEL;
    }

    @Override
    public String title() {
        return "Model";
    }

    @Override
    public JComponent component() {
        return info;
    }

    ModelInfo info() {
        return info;
    }

    @Override
    public Background.Lane lane() {
        return lane;
    }

    @Override
    public Content content(Scene scene) {
        return new Content.Fixed();
    }

    @Override
    public void say(String text) {
        // The table has no message; it is cleared or filled when the model changes.
    }

    @Override
    public void modelChanged(Scene s, Background background) {
        if (s.model() == null) {
            info.clear();
            return;
        }
        info.show(s.model().metadata(), s.model().layers());
        Path file = s.model().metadata().file();
        background.submit(lane, "Computing SHA-256 of " + file.getFileName() + "…", () -> ModelInfo.sha256(file), info::setSha256);
    }

    @Override
    public void cancelled(Scene scene, boolean ownWork) {
        if (ownWork) {
            info.setSha256("cancelled");
        }
    }
}
