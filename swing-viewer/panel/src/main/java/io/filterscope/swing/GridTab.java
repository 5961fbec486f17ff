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
    private static final String LINE = "line";
    /** Longest message shown as plain text; longer ones and those of several lines are HTML, which wraps. */
    static final int PLAIN_LINE = 60;

    /**
     * A message of several lines, as HTML. It keeps its text (and Swing's parsed view of it) while
     * {@link #line} shows a short one, so a message that comes back after each capture, such as why
     * a layer has no feature maps, is not parsed again each time.
     */
    private final JLabel message = new JLabel("", SwingConstants.CENTER);
    /** A short message of one line ("Running the model…"), as plain text: nothing to parse. */
    private final JLabel line = new JLabel("", SwingConstants.CENTER);
    private final CardLayout messageCards = new CardLayout();
    private final JPanel messagePanel = new JPanel(messageCards);
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
        line.setBorder(BorderFactory.createEmptyBorder(16, 16, 16, 16));
        line.setName(name + "-line");
        // As small as the HTML label's: a card layout asks every card, and a plain label's minimum is
        // its whole text, which would make the tabs claim the width of the pictures beside them.
        line.setMinimumSize(new java.awt.Dimension(0, 0));
        messagePanel.add(message, MESSAGE);
        messagePanel.add(line, LINE);
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
        if (isLine(text)) {
            line.setText(text.isEmpty() ? " " : text);
            messageCards.show(messagePanel, LINE);
        } else {
            message.setText("<html><div style='text-align:center'>" + GridView.escape(text).replace("\n", "<br>") + "</div></html>");
            messageCards.show(messagePanel, MESSAGE);
        }
        cards.show(this, MESSAGE);
        showingGrid = false;
    }

    private static boolean isLine(String text) {
        return text.length() <= PLAIN_LINE && text.indexOf('\n') < 0;
    }

    /** The grid on screen, if the tab shows one rather than a message. */
    Optional<ShownGrid> grid() {
        return showingGrid ? view.shown() : Optional.empty();
    }

    String messageText() {
        if (showingGrid) {
            return "";
        }
        String shown = line.isVisible() ? line.getText() : message.getText().replaceAll("<[^>]*>", " ");
        return shown.replaceAll("\\s+", " ").trim();
    }
}
