package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.awt.Component;
import java.awt.Container;
import javax.swing.JLabel;
import javax.swing.plaf.basic.BasicHTML;
import org.junit.jupiter.api.Test;

/** The message a grid tab shows in place of a grid. No window needed. */
class GridTabTest {

    private static JLabel named(Container c, String name) {
        for (Component child : c.getComponents()) {
            if (name.equals(child.getName())) {
                return (JLabel) child;
            }
            if (child instanceof Container k) {
                JLabel found = named(k, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    @Test
    void aLongMessageComesBackAfterAShortOneWithoutBeingParsedAgain() {
        Screens.onEdt(() -> {
            GridTab tab = new GridTab("feature-maps", f -> { });
            String why = "/conv1/Conv (Conv) has no feature maps.\nLayers with feature maps: /relu1/Relu, /pool1/MaxPool.";
            tab.say(why);
            assertEquals("/conv1/Conv (Conv) has no feature maps. Layers with feature maps: /relu1/Relu, /pool1/MaxPool.", tab.messageText());
            JLabel html = named(tab, "feature-maps-message");
            Object view = html.getClientProperty(BasicHTML.propertyKey);
            assertNotNull(view, "the message is HTML");
            // Every capture says this first, then the reason again.
            tab.say("Running the model…");
            assertEquals("Running the model…", tab.messageText());
            assertEquals("Running the model…", named(tab, "feature-maps-line").getText(), "a short line is plain text");
            tab.say(why);
            assertEquals("/conv1/Conv (Conv) has no feature maps. Layers with feature maps: /relu1/Relu, /pool1/MaxPool.", tab.messageText());
            assertSame(view, html.getClientProperty(BasicHTML.propertyKey), "the same parsed HTML");
            // Text that looks like markup stays text, on either kind of line.
            tab.say("a <b>bold</b> name");
            assertEquals("a <b>bold</b> name", tab.messageText());
        });
    }
}
