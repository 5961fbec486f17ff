package io.filterscope.swing;

import com.google.common.hash.Hashing;
import com.google.common.io.Files;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.ModelMetadata;
import io.filterscope.model.TensorSpec;
import java.awt.BorderLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTable;
import javax.swing.table.DefaultTableCellRenderer;
import javax.swing.table.DefaultTableModel;

/** The Model tab: what the model file says about itself, its size and SHA-256 as a two-column table. */
final class ModelInfo extends JPanel {
    static final String HASHING = "computing…";

    private final DefaultTableModel rows = new DefaultTableModel(new Object[] {"Property", "Value"}, 0) {
        @Override
        public boolean isCellEditable(int row, int column) {
            return false;
        }
    };
    private final JTable table = new JTable(rows);

    ModelInfo() {
        super(new BorderLayout());
        table.setName("model-info");
        table.setFillsViewportHeight(true);
        table.getColumnModel().getColumn(0).setPreferredWidth(140);
        table.getColumnModel().getColumn(1).setPreferredWidth(520);
        table.setCellSelectionEnabled(true); // lets a person copy a single value such as the hash
        table.setDefaultRenderer(Object.class, new DefaultTableCellRenderer() {
            @Override
            public java.awt.Component getTableCellRendererComponent(JTable t, Object value, boolean selected, boolean focus, int row, int column) {
                super.getTableCellRendererComponent(t, value, selected, focus, row, column);
                setToolTipText(value == null ? null : value.toString()); // long paths and hashes are cut off in the cell
                return this;
            }
        });
        add(new JScrollPane(table), BorderLayout.CENTER);
    }

    /** Shows {@code meta}; the SHA-256 row says it is being computed until {@link #setSha256} is called. */
    void show(ModelMetadata meta, List<LayerInfo> layers) {
        rows.setRowCount(0);
        for (String[] r : describe(meta, layers)) {
            rows.addRow(r);
        }
    }

    void clear() {
        rows.setRowCount(0);
    }

    void setSha256(String hex) {
        for (int r = 0; r < rows.getRowCount(); r++) {
            if ("SHA-256".equals(rows.getValueAt(r, 0))) {
                rows.setValueAt(hex, r, 1);
            }
        }
    }

    /** The value of a property row, for tests and hosts. */
    String value(String property) {
        for (int r = 0; r < rows.getRowCount(); r++) {
            if (property.equals(rows.getValueAt(r, 0))) {
                return (String) rows.getValueAt(r, 1);
            }
        }
        return null;
    }

    static List<String[]> describe(ModelMetadata meta, List<LayerInfo> layers) {
        List<String[]> out = new ArrayList<>();
        out.add(new String[] {"Format", meta.format()});
        out.add(new String[] {"Producer", orDash(meta.producer())});
        out.add(new String[] {"Format version", orDash(meta.formatVersion())});
        out.add(new String[] {"Opset", meta.opsetVersion() > 0 ? Long.toString(meta.opsetVersion()) : "—"});
        for (TensorSpec in : meta.inputs()) {
            out.add(new String[] {"Input", spec(in) + (in == meta.inputs().get(0) ? ", layout " + meta.inputLayout() : "")});
        }
        for (TensorSpec o : meta.outputs()) {
            out.add(new String[] {"Output", spec(o)});
        }
        long convs = layers.stream().filter(l -> l.kind().hasFilters()).count();
        out.add(new String[] {"Layers", layers.size() + " (" + convs + " with filters)"});
        out.add(new String[] {"File", meta.file().toAbsolutePath().toString()});
        out.add(new String[] {"File size", size(meta.fileSize())});
        out.add(new String[] {"SHA-256", HASHING});
        return out;
    }

    private static String spec(TensorSpec t) {
        return t.name() + ": " + t.describeShape() + " " + t.elementType();
    }

    private static String orDash(String s) {
        return s == null || s.isBlank() ? "—" : s;
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s (%,d bytes)", v, units[u], bytes);
    }

    /** The file's SHA-256 in lower-case hex; slow for big files, so called off the EDT. */
    static String sha256(Path file) {
        try {
            return Files.asByteSource(file.toFile()).hash(Hashing.sha256()).toString();
        } catch (IOException e) {
            throw new FilterScopeException(ErrorKind.UNREADABLE_FILE, file + ": cannot read the file to hash it (" + e.getMessage() + ")", e);
        }
    }
}
