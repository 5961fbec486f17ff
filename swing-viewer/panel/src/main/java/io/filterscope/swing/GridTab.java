package io.filterscope.swing;

import java.awt.BorderLayout;
import java.awt.CardLayout;
import java.awt.event.InputEvent;
import java.awt.event.MouseWheelEvent;
import java.util.Optional;
import java.util.function.DoubleConsumer;
import javax.swing.BorderFactory;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.SwingConstants;
import javax.swing.SwingUtilities;

/** A Filters or Feature maps tab: the zoomable grid, or a plain message when there is nothing to draw. */
final class GridTab extends JPanel {
    private static final String GRID = "grid";
    private static final String MESSAGE = "message";

    final GridView view = new GridView();
    final JScrollPane scroll = new JScrollPane(view);
    private final JLabel message = new JLabel("", SwingConstants.CENTER);
    /** The picture's {@link ShownGrid.Values#summary()} line above it; hidden when it has none. */
    final JLabel summary = new JLabel("");
    private final CardLayout cards = new CardLayout();
    private boolean showingGrid;

    /** @param zoomBy called with a factor when the person zooms with Ctrl + wheel */
    GridTab(String name, DoubleConsumer zoomBy) {
        setLayout(cards);
        setName(name);
        scroll.getViewport().setName(name + "-viewport");
        scroll.getViewport().addComponentListener(new java.awt.event.ComponentAdapter() {
            @Override
            public void componentResized(java.awt.event.ComponentEvent e) {
                view.viewportResized();
            }
        });
        scroll.setBorder(BorderFactory.createEmptyBorder());
        message.setBorder(BorderFactory.createEmptyBorder(16, 16, 16, 16));
        message.setName(name + "-message");
        JPanel messagePanel = new JPanel(new BorderLayout());
        messagePanel.add(message, BorderLayout.CENTER);
        summary.setName(name + "-summary");
        summary.setBorder(BorderFactory.createEmptyBorder(2, 6, 2, 6));
        summary.setVisible(false);
        JPanel gridPanel = new JPanel(new BorderLayout());
        gridPanel.add(summary, BorderLayout.NORTH);
        gridPanel.add(scroll, BorderLayout.CENTER);
        add(gridPanel, GRID);
        add(messagePanel, MESSAGE);
        view.addMouseWheelListener(e -> {
            if ((e.getModifiersEx() & InputEvent.CTRL_DOWN_MASK) != 0) {
                zoomBy.accept(Math.pow(1.1, -e.getPreciseWheelRotation()));
            } else {
                // A listener on the view would otherwise swallow the scrolling.
                MouseWheelEvent forwarded = (MouseWheelEvent) SwingUtilities.convertMouseEvent(view, e, scroll);
                scroll.dispatchEvent(forwarded);
            }
        });
        say("");
    }

    void show(ShownGrid grid) {
        String line = grid.values().summary();
        summary.setText(line);
        summary.setToolTipText(line.isEmpty() ? null : line);
        summary.setVisible(!line.isEmpty());
        view.show(grid);
        cards.show(this, GRID);
        showingGrid = true;
    }

    /** Shows a message in place of the grid; HTML is escaped, line breaks kept. */
    void say(String text) {
        message.setText("<html><div style='text-align:center'>" + GridView.escape(text).replace("\n", "<br>") + "</div></html>");
        cards.show(this, MESSAGE);
        showingGrid = false;
    }

    /** The grid on screen, if the tab shows one rather than a message. */
    Optional<ShownGrid> grid() {
        return showingGrid ? view.shown() : Optional.empty();
    }

    String messageText() {
        return showingGrid ? "" : message.getText().replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").trim();
    }
}
