package io.filterscope.app;

import io.filterscope.model.LayerInfo;
import io.filterscope.model.Model;
import io.filterscope.model.ModelMetadata;
import io.filterscope.model.TensorSpec;
import io.filterscope.tensor.Shape;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code filterscope info [MODEL]}: what the file says about itself and its layers. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Show a model's metadata (producer, format, inputs, layout) and a table of its layers.")
final class InfoCommand extends ModelCommand {

    @Override
    public Integer call() {
        try (Model model = openModel()) {
            print(model, out());
        }
        out().flush();
        return 0;
    }

    private void print(Model model, PrintWriter out) {
        ModelMetadata m = model.metadata();
        List<String[]> head = new ArrayList<>();
        head.add(new String[] {"model", modelRef().display() + ", " + size(m.fileSize()) + ", " + m.format()});
        head.add(new String[] {"producer", m.producer().isEmpty() ? "unknown" : m.producer()});
        String format = m.formatVersion().isEmpty() ? "" : m.formatVersion();
        if (m.opsetVersion() > 0) {
            format += (format.isEmpty() ? "" : ", ") + "opset " + m.opsetVersion();
        }
        head.add(new String[] {"format", format.isEmpty() ? "-" : format});
        for (TensorSpec in : m.inputs()) {
            head.add(new String[] {"input", spec(in)});
        }
        for (TensorSpec o : m.outputs()) {
            head.add(new String[] {"output", spec(o)});
        }
        head.add(new String[] {"layout", m.inputLayout().toString()});
        long convs = model.layers().stream().filter(l -> l.kind().hasFilters()).count();
        head.add(new String[] {"layers", model.layers().size() + " (" + convs + " with filters)"});
        table(out, null, head, "  ");
        out.println();

        List<String[]> rows = new ArrayList<>();
        for (LayerInfo l : model.layers()) {
            rows.add(new String[] {
                Integer.toString(l.index()),
                l.name(),
                l.kind().toString().toLowerCase(Locale.ROOT),
                l.op(),
                shape(l.outputShape()),
                shape(l.filterShape())});
        }
        table(out, new String[] {"#", "layer", "kind", "op", "output shape", "filter shape"}, rows, "  ");
    }

    private static String spec(TensorSpec t) {
        return t.name() + "  " + t.elementType() + "  " + t.describeShape();
    }

    private static String shape(Optional<Shape> s) {
        return s.map(Shape::toString).orElse("-");
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    /** Prints rows as left-aligned columns, with an optional header line. */
    static void table(PrintWriter out, String[] header, List<String[]> rows, String sep) {
        int cols = header != null ? header.length : rows.isEmpty() ? 0 : rows.get(0).length;
        int[] w = new int[cols];
        List<String[]> all = new ArrayList<>();
        if (header != null) {
            all.add(header);
        }
        all.addAll(rows);
        for (String[] r : all) {
            for (int c = 0; c < cols; c++) {
                w[c] = Math.max(w[c], r[c].length());
            }
        }
        for (String[] r : all) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                if (c > 0) {
                    sb.append(sep);
                }
                sb.append(r[c]);
                if (c < cols - 1) {
                    sb.append(" ".repeat(w[c] - r[c].length()));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
