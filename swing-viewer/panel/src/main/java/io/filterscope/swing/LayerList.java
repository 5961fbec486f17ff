package io.filterscope.swing;

import io.filterscope.model.LayerInfo;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Component;
import java.awt.event.KeyAdapter;
import java.awt.event.KeyEvent;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import javax.swing.BorderFactory;
import javax.swing.DefaultListCellRenderer;
import javax.swing.DefaultListModel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextField;
import javax.swing.ListSelectionModel;
import javax.swing.UIManager;
import javax.swing.event.DocumentEvent;
import javax.swing.event.DocumentListener;

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
     * Gives every row the size of the widest one, measured once: otherwise the list lays out every
     * row's HTML to size it, which takes long for models with thousands of layers.
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

    private static final class Renderer extends DefaultListCellRenderer {
        @Override
        public Component getListCellRendererComponent(JList<?> list, Object value, int index, boolean selected, boolean focus) {
            super.getListCellRendererComponent(list, value, index, selected, focus);
            LayerInfo l = (LayerInfo) value;
            Color dim = selected ? list.getSelectionForeground() : UIManager.getColor("Label.disabledForeground");
            String hex = dim == null ? "808080" : String.format("%06x", dim.getRGB() & 0xffffff);
            setText("<html>" + GridView.escape(l.name()) + "<br><font color='#" + hex + "'>" + GridView.escape(details(l))
                    + "</font></html>");
            setIcon(KindIcon.of(l.kind()));
            setIconTextGap(6);
            setToolTipText(l.name() + " (" + l.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")");
            setBorder(BorderFactory.createEmptyBorder(3, 4, 3, 4));
            return this;
        }
    }
}
