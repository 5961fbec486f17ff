package io.filterscope.swing;

import io.filterscope.preprocess.Preset;
import io.filterscope.render.Colormap;
import io.filterscope.render.Normalization;
import java.awt.Component;
import java.util.Locale;
import java.util.function.Consumer;
import javax.swing.DefaultListCellRenderer;
import javax.swing.JComboBox;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JSpinner;
import javax.swing.JToggleButton;
import javax.swing.JToolBar;
import javax.swing.SpinnerNumberModel;

/**
 * The toolbar that edits a {@link ViewSettings}: preset, colormap, normalization, channels and
 * zoom. Every edit is reported as whole new settings; {@link #show} updates the controls without
 * reporting anything.
 */
final class Controls extends JToolBar {
    /** Stands for "the model's default preset" in the preset box. */
    static final String MODEL_DEFAULT = "model default";

    final JComboBox<Object> preset = new JComboBox<>();
    final JComboBox<Colormap> colormap = new JComboBox<>(Colormap.values());
    final JComboBox<Normalization> normalization = new JComboBox<>(Normalization.values());
    final JComboBox<ChannelSelection.Mode> channels = new JComboBox<>(ChannelSelection.Mode.values());
    final JSpinner count = new JSpinner(new SpinnerNumberModel(ChannelSelection.DEFAULT_COUNT, 1, 4096, 1));
    final JSpinner zoom = new JSpinner(new SpinnerNumberModel(100, (int) (ViewSettings.MIN_ZOOM * 100), (int) (ViewSettings.MAX_ZOOM * 100), 25));
    final JToggleButton fit = new JToggleButton("Fit");
    /** The magnification the grid in front is shown at: what the zoom control shows while fitted. */
    private double shownZoom = 1;

    private ViewSettings current = ViewSettings.defaults();
    private Consumer<ViewSettings> onChange = s -> { };
    private boolean updating;

    Controls() {
        setFloatable(false);
        preset.addItem(MODEL_DEFAULT);
        for (Preset p : Preset.values()) {
            preset.addItem(p);
        }
        preset.setRenderer(new Named());
        colormap.setRenderer(new Named());
        normalization.setRenderer(new Named());
        channels.setRenderer(new Named());
        preset.setToolTipText("How the image is turned into the model's input; changing it runs the model again");
        colormap.setToolTipText("Colours of the grid");
        normalization.setToolTipText("How values are scaled to the colours");
        channels.setToolTipText("Which feature-map channels to draw");
        count.setToolTipText("How many channels the top-N choices draw");
        zoom.setToolTipText("Zoom of the grid in percent (Ctrl + mouse wheel on the grid)");
        fit.setToolTipText("Fit the grid to the view: as large as fits, in whole screen pixels per image pixel");

        add(new JLabel("Preset "));
        add(preset);
        addSeparator();
        add(new JLabel("Colormap "));
        add(colormap);
        addSeparator();
        add(new JLabel("Scale "));
        add(normalization);
        addSeparator();
        add(new JLabel("Channels "));
        add(channels);
        add(count);
        addSeparator();
        add(new JLabel("Zoom % "));
        add(zoom);
        add(fit);
        ((JSpinner.DefaultEditor) count.getEditor()).getTextField().setColumns(3);
        ((JSpinner.DefaultEditor) zoom.getEditor()).getTextField().setColumns(4);

        // A tool bar stretches its components to fill the row; keep each at its natural width.
        for (java.awt.Component c : getComponents()) {
            c.setMaximumSize(c.getPreferredSize());
        }
        preset.addActionListener(e -> edit(current.withPreset(preset.getSelectedItem() instanceof Preset p ? p : null)));
        colormap.addActionListener(e -> edit(current.withColormap((Colormap) colormap.getSelectedItem())));
        normalization.addActionListener(e -> edit(current.withNormalization((Normalization) normalization.getSelectedItem())));
        channels.addActionListener(e -> edit(current.withChannels(selection())));
        count.addChangeListener(e -> edit(current.withChannels(selection())));
        zoom.addChangeListener(e -> edit(current.withZoom(((Number) zoom.getValue()).doubleValue() / 100)));
        // Leaving fit keeps the magnification on screen, so the grid does not jump.
        fit.addActionListener(e -> edit(fit.isSelected() ? current.withFitToView() : current.withZoom(shownZoom)));
        show(current);
    }

    void onChange(Consumer<ViewSettings> action) {
        this.onChange = action;
    }

    private ChannelSelection selection() {
        ChannelSelection.Mode m = (ChannelSelection.Mode) channels.getSelectedItem();
        int n = ((Number) count.getValue()).intValue();
        return new ChannelSelection(m, n);
    }

    private void edit(ViewSettings s) {
        if (updating || s.equals(current)) {
            return;
        }
        current = s;
        count.setEnabled(s.channels().mode() != ChannelSelection.Mode.ALL);
        onChange.accept(s);
    }

    void show(ViewSettings s) {
        updating = true;
        try {
            current = s;
            preset.setSelectedItem(s.preset() == null ? MODEL_DEFAULT : s.preset());
            colormap.setSelectedItem(s.colormap());
            normalization.setSelectedItem(s.normalization());
            channels.setSelectedItem(s.channels().mode());
            count.setValue(s.channels().count());
            count.setEnabled(s.channels().mode() != ChannelSelection.Mode.ALL);
            fit.setSelected(s.fitToView());
            zoom.setValue((int) Math.round((s.fitToView() ? shownZoom : s.zoom()) * 100));
        } finally {
            updating = false;
        }
    }

    /** The grid in front is shown at {@code z}; while fitted, the zoom control shows it. */
    void showZoom(double z) {
        shownZoom = z;
        if (current.fitToView()) {
            updating = true;
            try {
                zoom.setValue((int) Math.round(Math.max(ViewSettings.MIN_ZOOM, Math.min(ViewSettings.MAX_ZOOM, z)) * 100));
            } finally {
                updating = false;
            }
        }
    }

    /** Lower-case names with spaces, as the command line spells them. */
    static String label(Object v) {
        if (v instanceof ChannelSelection.Mode m) {
            return switch (m) {
                case ALL -> "all";
                case TOP_MEAN -> "top N by mean";
                case TOP_MAX -> "top N by max";
            };
        }
        return v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT).replace('_', '-') : String.valueOf(v);
    }

    private static final class Named extends DefaultListCellRenderer {
        @Override
        public Component getListCellRendererComponent(JList<?> list, Object value, int index, boolean selected, boolean focus) {
            return super.getListCellRendererComponent(list, label(value), index, selected, focus);
        }
    }
}
