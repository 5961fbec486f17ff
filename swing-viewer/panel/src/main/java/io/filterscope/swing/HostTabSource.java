package io.filterscope.swing;

import io.filterscope.Names;
import io.filterscope.render.Paper;
import java.util.Locale;

/**
 * A {@link PanelTab} as one of the panel's content sources: its content is asked with the scene seen
 * as a {@link PanelState}, and its pictures are kept under its own keys, scoped to this tab, the
 * model shown and the paper (so a host's key needs none of them).
 */
final class HostTabSource extends GridSource {
    private final PanelTab tab;

    /** A host's key, scoped to the tab and the model. */
    private record Key(HostTabSource tab, long modelSource, Paper paper, Object key) {
    }

    HostTabSource(PanelTab tab) {
        super(null, tab.title(), "tab-" + Names.sanitize(tab.title().toLowerCase(Locale.ROOT)), tab.toolbar());
        this.tab = tab;
    }

    PanelTab panelTab() {
        return tab;
    }

    @Override
    public boolean drawsAhead() {
        return tab.drawsAhead();
    }

    /** A host's tab need not follow the layer list: it is drawn again on any change, its own controls' too. */
    @Override
    public void cancelled(Scene scene, boolean ownWork) {
        if (content(scene) instanceof Content.Message m) {
            say(m.text());
        } else if (ownWork) {
            say("Drawing cancelled; change a setting, or select a layer, to draw it again.");
        }
    }

    @Override
    public Content content(Scene scene) {
        TabContent c = tab.content(new PanelState(scene));
        if (c instanceof TabContent.Message m) {
            return new Content.Message(m.text());
        }
        TabContent.Drawing d = (TabContent.Drawing) c;
        long model = scene.modelSource();
        return new Content.Drawing(new Key(this, model, scene.paper(), d.key()), d.what(), "Cannot draw " + tab.title(), d.work(),
                now -> now.modelSource() == model);
    }
}
