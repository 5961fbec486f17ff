package io.filterscope.swing;

import java.awt.Component;
import java.awt.Container;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.awt.Insets;
import javax.swing.JScrollPane;
import javax.swing.SwingUtilities;

/**
 * A {@link FlowLayout} whose preferred size is that of its rows as they wrap at the container's
 * width: plain FlowLayout asks for one long row, so in a BorderLayout's north its wrapped rows are
 * cut off. Controls that do not fit beside each other go to the next row instead.
 */
final class WrapLayout extends FlowLayout {

    WrapLayout(int align, int hgap, int vgap) {
        super(align, hgap, vgap);
    }

    @Override
    public Dimension preferredLayoutSize(Container target) {
        return size(target, true);
    }

    @Override
    public Dimension minimumLayoutSize(Container target) {
        Dimension d = size(target, false);
        d.width -= getHgap() + 1;
        return d;
    }

    private Dimension size(Container target, boolean preferred) {
        synchronized (target.getTreeLock()) {
            // The width to wrap at: the container's own, or its parent's while it has none yet.
            Container sized = target;
            while (sized.getSize().width == 0 && sized.getParent() != null) {
                sized = sized.getParent();
            }
            int width = sized.getSize().width == 0 ? Integer.MAX_VALUE : sized.getSize().width;
            Insets insets = target.getInsets();
            int max = width - (insets.left + insets.right + getHgap() * 2);
            Dimension total = new Dimension(0, 0);
            int rowWidth = 0;
            int rowHeight = 0;
            for (Component c : target.getComponents()) {
                if (!c.isVisible()) {
                    continue;
                }
                Dimension d = preferred ? c.getPreferredSize() : c.getMinimumSize();
                if (rowWidth + d.width > max && rowWidth > 0) {
                    addRow(total, rowWidth, rowHeight);
                    rowWidth = 0;
                    rowHeight = 0;
                }
                rowWidth += (rowWidth > 0 ? getHgap() : 0) + d.width;
                rowHeight = Math.max(rowHeight, d.height);
            }
            addRow(total, rowWidth, rowHeight);
            total.width += insets.left + insets.right + getHgap() * 2;
            total.height += insets.top + insets.bottom + getVgap() * 2;
            // In a scroll pane the viewport would otherwise never let the rows wrap.
            if (SwingUtilities.getAncestorOfClass(JScrollPane.class, target) != null && target.isValid()) {
                total.width -= getHgap() + 1;
            }
            return total;
        }
    }

    private void addRow(Dimension total, int rowWidth, int rowHeight) {
        total.width = Math.max(total.width, rowWidth);
        if (total.height > 0) {
            total.height += getVgap();
        }
        total.height += rowHeight;
    }
}
