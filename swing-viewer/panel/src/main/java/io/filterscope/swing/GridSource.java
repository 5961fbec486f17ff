package io.filterscope.swing;

import java.util.Optional;
import java.util.function.DoubleConsumer;
import java.awt.BorderLayout;
import javax.swing.JComponent;
import javax.swing.JPanel;

/**
 * A tab that shows a zoomable grid, or a message when there is nothing to draw: the base of the
 * Filters and Feature maps tabs, and of any later tab that draws a grid per layer.
 */
abstract class GridSource implements ContentSource {
    private final ViewTab tab;
    private final String title;
    private final GridTab gridTab;
    private final Background.Lane lane;
    private final JComponent component;
    /** Set by the panel: Ctrl + wheel on the grid zooms every grid tab alike. */
    private DoubleConsumer zoomBy = f -> { };

    /**
     * @param tab   the public name of the tab, or null for a package-internal one
     * @param title the tab's title, also its lane's name
     * @param name  the component name (tests and screenshots find the tab by it), e.g. "filters"
     */
    GridSource(ViewTab tab, String title, String name) {
        this(tab, title, name, null);
    }

    /** @param toolbar controls of the tab's own, shown above the grid; null for none */
    GridSource(ViewTab tab, String title, String name, JComponent toolbar) {
        this.tab = tab;
        this.title = title;
        this.gridTab = new GridTab(name, f -> zoomBy.accept(f));
        this.lane = new Background.Lane(title.toLowerCase(java.util.Locale.ROOT));
        if (toolbar == null) {
            this.component = gridTab;
        } else {
            JPanel withToolbar = new JPanel(new BorderLayout());
            withToolbar.add(toolbar, BorderLayout.NORTH);
            withToolbar.add(gridTab, BorderLayout.CENTER);
            this.component = withToolbar;
        }
    }

    void onZoom(DoubleConsumer zoomBy) {
        this.zoomBy = zoomBy;
    }

    @Override
    public final ViewTab tab() {
        return tab;
    }

    @Override
    public final String title() {
        return title;
    }

    @Override
    public final JComponent component() {
        return component;
    }

    /** The tab's component, for tests. */
    final GridTab gridTab() {
        return gridTab;
    }

    @Override
    public final Background.Lane lane() {
        return lane;
    }

    @Override
    public final void say(String text) {
        gridTab.say(text);
    }

    @Override
    public final void show(ShownGrid grid) {
        gridTab.show(grid);
    }

    @Override
    public final Optional<ShownGrid> grid() {
        return gridTab.grid();
    }

    @Override
    public final Optional<GridView> gridView() {
        return Optional.of(gridTab.view);
    }
}
