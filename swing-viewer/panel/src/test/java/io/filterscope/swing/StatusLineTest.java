package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Component;
import java.awt.Rectangle;
import javax.swing.JSplitPane;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.Test;

/**
 * Work starting and ending changes only the status line: the rest of the panel keeps its place, so
 * a capture does not lay out and repaint the layer list, the grid and the pictures. No window needed.
 */
class StatusLineTest {

    @Test
    void theLineIsAsTallIdleAsBusy() {
        Screens.onEdt(() -> {
            StatusLine line = new StatusLine();
            int idle = line.getPreferredSize().height;
            line.setBusy(true);
            line.working("Running the model…");
            int busy = line.getPreferredSize().height;
            assertEquals(busy, idle, "preferred height busy and idle");
            // Tall enough for what shows while busy.
            assertTrue(idle >= line.cancel.getPreferredSize().height, idle + " px for a " + line.cancel.getPreferredSize().height + " px button");
        });
    }

    @Test
    void thePanelAboveKeepsItsBoundsWhenWorkStartsAndEnds() {
        Screens.onEdt(() -> {
            FilterScopePanel panel = new FilterScopePanel();
            panel.setSize(1000, 700);
            panel.validate();
            JSplitPane split = (JSplitPane) SwingUtilities.getAncestorOfClass(JSplitPane.class, panel.layerList());
            Component centre = split.getParent() == panel ? split : SwingUtilities.getAncestorOfClass(JSplitPane.class, split);
            Rectangle before = centre.getBounds();
            for (boolean busy : new boolean[] {true, false, true}) {
                panel.statusLine().setBusy(busy);
                panel.validate();
                assertEquals(before, centre.getBounds(), "the panel's centre with the status line " + (busy ? "busy" : "idle"));
            }
        });
    }
}
