package io.filterscope.swing;

import io.filterscope.model.LayerInfo;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Component;
import java.awt.Dimension;
import java.awt.FontMetrics;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.Insets;
import java.awt.RenderingHints;
import java.awt.event.KeyAdapter;
import java.awt.event.KeyEvent;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import javax.swing.BorderFactory;
import javax.swing.DefaultListModel;
import javax.swing.JComponent;
import javax.swing.JList;
import javax.swing.ListCellRenderer;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextField;
import javax.swing.ListSelectionModel;
import javax.swing.UIManager;
import javax.swing.event.DocumentEvent;
import javax.swing.event.DocumentListener;
import javax.swing.plaf.basic.BasicGraphicsUtils;

/**
 * The layers of a model with a kind icon, output shape and, for conv layers, filter shape; a text
 * field above narrows the list to names containing what is typed. Up and down in the field move the
 * selection in the list, so a person can type and then step through the matches.
 */
final class LayerList extends JPanel {
    private final JTextField filter = new JTextField();
    private final DefaultListModel<LayerInfo> shown = new DefaultListModel<>();
    private final JList<LayerInfo> list = new JList<>(shown);
    private List<LayerInfo> all = List.of();
    private Consumer<LayerInfo> onSelect = l -> { };
    // Set while the list is changed by code, so that no selection event goes back to the panel.
    private boolean updating;

    LayerList() {
        super(new BorderLayout(0, 4));
        filter.putClientProperty("JTextField.placeholderText", "Filter layers");
        filter.putClientProperty("JTextField.showClearButton", true);
        filter.setToolTipText("Show only layers whose name contains this text");
        filter.getDocument().addDocumentListener(new DocumentListener() {
            @Override
            public void insertUpdate(DocumentEvent e) {
                refilter();
            }

            @Override
            public void removeUpdate(DocumentEvent e) {
                refilter();
            }

            @Override
            public void changedUpdate(DocumentEvent e) {
                refilter();
            }
        });
        filter.addKeyListener(new KeyAdapter() {
            @Override
            public void keyPressed(KeyEvent e) {
                int step = e.getKeyCode() == KeyEvent.VK_DOWN ? 1 : e.getKeyCode() == KeyEvent.VK_UP ? -1 : 0;
                if (step != 0 && !shown.isEmpty()) {
                    int i = Math.max(0, Math.min(shown.size() - 1, list.getSelectedIndex() + step));
                    list.setSelectedIndex(i);
                    list.ensureIndexIsVisible(i);
                    e.consume();
                }
            }
        });
        list.setName("layers");
        list.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
        list.setCellRenderer(new Renderer());
        // A new look and feel brings other fonts; measure again once the renderer has them too.
        list.addPropertyChangeListener("UI", e -> javax.swing.SwingUtilities.invokeLater(this::sizeCells));
        list.addListSelectionListener(e -> {
            if (!updating && !e.getValueIsAdjusting() && list.getSelectedValue() != null) {
                onSelect.accept(list.getSelectedValue());
            }
        });
        add(filter, BorderLayout.NORTH);
        JScrollPane scroll = new JScrollPane(list);
        add(scroll, BorderLayout.CENTER);
        setBorder(BorderFactory.createEmptyBorder(4, 4, 4, 0));
    }

    void onSelect(Consumer<LayerInfo> action) {
        this.onSelect = action;
    }

    void setLayers(List<LayerInfo> layers) {
        all = List.copyOf(layers);
        sizeCells();
        refilter();
    }

    /**
     * Gives every row the size of the widest one, measured once: otherwise the list measures every
     * row to size it, which takes long for models with thousands of layers.
     */
    private void sizeCells() {
        if (all.isEmpty()) {
            list.setFixedCellWidth(-1);
            list.setFixedCellHeight(-1);
            return;
        }
        // Text widths differ by letter: measure the rows with the longest names and details, not just one.
        java.util.Comparator<LayerInfo> longest = java.util.Comparator.comparingInt((LayerInfo l) -> Math.max(l.name().length(), details(l).length()));
        int width = 0;
        int height = 0;
        for (LayerInfo l : all.stream().sorted(longest.reversed()).limit(MEASURED_ROWS).toList()) {
            java.awt.Dimension d = list.getCellRenderer().getListCellRendererComponent(list, l, 0, true, true).getPreferredSize();
            width = Math.max(width, d.width);
            height = Math.max(height, d.height);
        }
        list.setFixedCellWidth(width + width / 20);
        list.setFixedCellHeight(height);
        revalidate();
        // The split pane this list sits in was laid out for the previous model; give the list this width.
        javax.swing.JSplitPane split = (javax.swing.JSplitPane) javax.swing.SwingUtilities.getAncestorOfClass(javax.swing.JSplitPane.class, this);
        if (split != null && split.getLeftComponent() == this) {
            split.setDividerLocation(split.getInsets().left + getPreferredSize().width);
        }
    }

    /** Rows measured for the list's width; measuring all would take long for thousands of layers. */
    private static final int MEASURED_ROWS = 50;
    /** The list is never narrower than this, nor wider than {@link #MAX_WIDTH} (then it scrolls sideways). */
    static final int MIN_WIDTH = 300;
    static final int MAX_WIDTH = 560;

    /** Wide enough for the widest row (name and shapes whole), within {@link #MIN_WIDTH}..{@link #MAX_WIDTH}. */
    @Override
    public java.awt.Dimension getPreferredSize() {
        java.awt.Dimension d = super.getPreferredSize();
        if (isPreferredSizeSet()) {
            return d;
        }
        java.awt.Insets in = getInsets();
        int scrollBar = UIManager.getInt("ScrollBar.width") > 0 ? UIManager.getInt("ScrollBar.width") : 16;
        int rows = Math.max(0, list.getFixedCellWidth()) + in.left + in.right + scrollBar + 4;
        return new java.awt.Dimension(Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, rows)), Math.max(400, d.height));
    }


    /** Selects {@code layer} in the list without telling the panel, clearing the filter when it hides the layer. */
    void select(Optional<LayerInfo> layer) {
        updating = true;
        try {
            if (layer.isPresent() && !shown.contains(layer.get())) {
                filter.setText("");
            }
            if (layer.isPresent()) {
                int i = shown.indexOf(layer.get());
                list.setSelectedIndex(i);
                list.ensureIndexIsVisible(i);
            } else {
                list.clearSelection();
            }
        } finally {
            updating = false;
        }
    }

    JList<LayerInfo> layerJList() {
        return list;
    }

    JTextField filterField() {
        return filter;
    }

    /** The layers the list shows now, in order. */
    List<LayerInfo> visibleLayers() {
        return java.util.Collections.list(shown.elements());
    }

    private void refilter() {
        String wanted = filter.getText().trim().toLowerCase(Locale.ROOT);
        LayerInfo selected = list.getSelectedValue();
        boolean was = updating;
        updating = true;
        try {
            shown.clear();
            for (LayerInfo l : all) {
                if (wanted.isEmpty() || l.name().toLowerCase(Locale.ROOT).contains(wanted)) {
                    shown.addElement(l);
                }
            }
            if (selected != null && shown.contains(selected)) {
                list.setSelectedValue(selected, true);
            }
        } finally {
            updating = was;
        }
    }

    /** The text a layer's row shows below its name: output shape, and filter shape for conv layers. */
    static String details(LayerInfo l) {
        StringBuilder sb = new StringBuilder(l.op());
        l.outputShape().ifPresent(s -> sb.append(" · out ").append(s));
        l.filterShape().ifPresent(s -> sb.append(" · filters ").append(s));
        return sb.toString();
    }

    /**
     * A row: the kind icon, the layer's name and below it, dimmed, its {@link #details}. Painted as two
     * plain strings rather than an HTML label: the list paints its rows again whenever anything near
     * it repaints, and laying out HTML for every row (a parser, a style sheet and a view tree per row
     * and paint) kept the event dispatch thread busy while the model ran. Looks as the HTML row did:
     * the list's font for both lines, the selection's colours, the theme's dimmed text colour below.
     */
    static final class Renderer extends JComponent implements ListCellRenderer<LayerInfo> {
        private static final int GAP = 6;
        private static final Insets PAD = new Insets(3, 4, 3, 4);
        private LayerInfo layer;
        private Color dim;

        Renderer() {
            setOpaque(true);
        }

        @Override
        public Component getListCellRendererComponent(JList<? extends LayerInfo> list, LayerInfo value, int index, boolean selected,
                                                      boolean focus) {
            layer = value;
            setFont(list.getFont());
            setComponentOrientation(list.getComponentOrientation());
            setBackground(selected ? list.getSelectionBackground() : list.getBackground());
            setForeground(selected ? list.getSelectionForeground() : list.getForeground());
            Color disabled = UIManager.getColor("Label.disabledForeground");
            dim = selected ? list.getSelectionForeground() : disabled != null ? disabled : new Color(0x808080);
            // Text antialiased as the list's own (a component without a UI delegate has no hints of its own).
            putClientProperty(RenderingHints.KEY_TEXT_ANTIALIASING, list.getClientProperty(RenderingHints.KEY_TEXT_ANTIALIASING));
            putClientProperty(RenderingHints.KEY_TEXT_LCD_CONTRAST, list.getClientProperty(RenderingHints.KEY_TEXT_LCD_CONTRAST));
            setToolTipText(value == null ? null : value.name() + " (" + value.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")");
            return this;
        }

        /** The text of the two lines, for tests. */
        String[] lines() {
            return layer == null ? new String[] {"", ""} : new String[] {layer.name(), details(layer)};
        }

        private int textWidth(FontMetrics fm, String[] text) {
            return (int) Math.ceil(Math.max(BasicGraphicsUtils.getStringWidth(this, fm, text[0]), BasicGraphicsUtils.getStringWidth(this, fm, text[1])));
        }

        @Override
        public Dimension getPreferredSize() {
            if (isPreferredSizeSet() || getFont() == null) {
                return super.getPreferredSize();
            }
            FontMetrics fm = getFontMetrics(getFont());
            String[] text = lines();
            int textWidth = textWidth(fm, text);
            int width = PAD.left + KindIcon.SIZE + GAP + textWidth + PAD.right;
            int height = PAD.top + Math.max(KindIcon.SIZE, 2 * fm.getHeight()) + PAD.bottom;
            return new Dimension(width, height);
        }

        @Override
        protected void paintComponent(Graphics g) {
            if (isOpaque()) {
                g.setColor(getBackground());
                g.fillRect(0, 0, getWidth(), getHeight());
            }
            if (layer == null) {
                return;
            }
            Graphics2D g2 = (Graphics2D) g.create();
            try {
                FontMetrics fm = g2.getFontMetrics(getFont());
                int lines = 2 * fm.getHeight();
                int inner = getHeight() - PAD.top - PAD.bottom;
                boolean ltr = getComponentOrientation().isLeftToRight();
                String[] text = lines();
                int textWidth = textWidth(fm, text);
                int iconX = ltr ? PAD.left : getWidth() - PAD.right - KindIcon.SIZE;
                KindIcon.of(layer.kind()).paintIcon(this, g2, iconX, PAD.top + (inner - KindIcon.SIZE) / 2);
                int textX = ltr ? PAD.left + KindIcon.SIZE + GAP : iconX - GAP - textWidth;
                int top = PAD.top + (inner - lines) / 2;
                g2.setFont(getFont());
                g2.setColor(getForeground());
                BasicGraphicsUtils.drawString(this, g2, text[0], textX, top + fm.getAscent());
                g2.setColor(dim);
                BasicGraphicsUtils.drawString(this, g2, text[1], textX, top + fm.getHeight() + fm.getAscent());
            } finally {
                g2.dispose();
            }
        }

        // As DefaultListCellRenderer: a rubber stamp needs none of these, and they cost on every row painted.
        @Override
        public void invalidate() {
        }

        @Override
        public void validate() {
        }

        @Override
        public void revalidate() {
        }

        @Override
        public void repaint(long tm, int x, int y, int width, int height) {
        }

        @Override
        public void repaint(java.awt.Rectangle r) {
        }

        @Override
        public void repaint() {
        }

        @Override
        protected void firePropertyChange(String propertyName, Object oldValue, Object newValue) {
        }
    }
}
