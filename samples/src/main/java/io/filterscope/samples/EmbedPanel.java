package io.filterscope.samples;

import io.filterscope.FilterScope;
import io.filterscope.app.BundledModel;
import io.filterscope.model.Model;
import io.filterscope.predict.Predictions;
import io.filterscope.preprocess.Images;
import io.filterscope.swing.FilterScopePanel;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;

/** A host window around the embeddable {@link FilterScopePanel}, on the bundled model: {@code java -cp ... io.filterscope.samples.EmbedPanel}. */
public final class EmbedPanel {
    public static void main(String[] args) {
        BundledModel bundled = BundledModel.get();
        Model model = FilterScope.open(bundled.model());                        // the host owns the model
        SwingUtilities.invokeLater(() -> {
            FilterScopePanel panel = new FilterScopePanel();
            panel.addLayerSelectionListener(layer -> System.out.println("selected " + layer.name()));
            panel.setModel(model);
            panel.setLabels(Predictions.readLabels(bundled.labels()));
            panel.setImage(Images.read(bundled.defaultImage()));
            JFrame frame = new JFrame("FilterScope panel in a host window");
            frame.setDefaultCloseOperation(JFrame.DISPOSE_ON_CLOSE);
            frame.addWindowListener(new WindowAdapter() {
                @Override
                public void windowClosed(WindowEvent e) {
                    panel.setModel(null);
                    panel.whenIdle().whenComplete((v, t) -> model.close());   // after the panel let go of it
                }
            });
            frame.add(panel);
            frame.setSize(1100, 750);
            frame.setVisible(true);
        });
    }
}
