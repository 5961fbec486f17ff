package io.filterscope.app.viewer;

import io.filterscope.swing.DatasetExamplesTab;
import io.filterscope.swing.FilterScopePanel;

/**
 * Adds the viewer's Dataset examples tab to its panel. A place of its own, so tabs added by other
 * work (an Explain tab) each register in theirs and the frame calls them one line apiece.
 */
final class DatasetExamplesTabs {
    private DatasetExamplesTabs() {
    }

    /** Adds a Dataset examples tab (no folder chosen yet: its Folder… button asks for one). */
    static DatasetExamplesTab install(FilterScopePanel panel) {
        DatasetExamplesTab tab = new DatasetExamplesTab();
        panel.addTab(tab);
        return tab;
    }
}
