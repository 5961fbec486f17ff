package io.filterscope.swing;

import static io.filterscope.swing.Screens.call;
import static io.filterscope.swing.Screens.onEdt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScope;
import io.filterscope.model.Model;
import java.awt.image.BufferedImage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A tab's drawing that reports how far it is moves the status line's bar; the next request starts it over. Headless. */
class TabProgressTest {

    @Test
    void reportedProgressIsShownOnTheStatusLine() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Model model = FilterScope.open(ContentSourceTest.MODEL)) {
            PanelTab tab = new PanelTab("Reporting") {
                @Override
                public boolean drawsAhead() {
                    return false;
                }

                @Override
                public TabContent content(PanelState s) {
                    return s.layer().isEmpty() ? TabContent.message("no layer") : TabContent.drawing(s.layer().get().name(), "Working…", progress -> {
                        progress.report(0.25);
                        if (!release.await(60, TimeUnit.SECONDS)) {
                            throw new AssertionError("never released");
                        }
                        return ShownGrid.picture("p", new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB));
                    });
                }
            };
            FilterScopePanel panel = call(() -> {
                FilterScopePanel p = new FilterScopePanel();
                p.addTab(tab);
                p.showTab(tab);
                p.setModel(model);
                return p;
            });
            Screens.waitHeadless(() -> panel.statusLine().fraction() == 0.25, "the bar to show a quarter");
            assertTrue(call(() -> panel.statusLine().isBusy()));
            assertEquals("Working…", call(panel::statusText));
            release.countDown();
            panel.whenIdle().get(60, TimeUnit.SECONDS);
            assertEquals(-1, call(() -> panel.statusLine().fraction()), "idle: the bar is back to plain busy for the next work");
            onEdt(() -> panel.setModel(null));
            panel.whenIdle().get(60, TimeUnit.SECONDS);
        }
    }
}
