package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.model.LayerInfo;
import io.filterscope.model.LayerKind;
import io.filterscope.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.swing.JList;
import org.junit.jupiter.api.Test;

/** The layer list is as wide as its widest row, so names and shapes are not cut off. No window needed. */
class LayerListTest {

    private static LayerInfo conv(String name, int index, long out, long in) {
        return new LayerInfo(name, name, "Conv", LayerKind.CONV, index, name + "_out",
                Optional.of(Shape.of(1, out, 56, 56)), Optional.of(Shape.of(out, in, 3, 3)));
    }

    @Test
    void everyRowFitsTheListsPreferredWidth() {
        List<LayerInfo> layers = new ArrayList<>();
        layers.add(conv("conv1", 0, 8, 3));
        // Real models have names like these (torchvision ResNet exported to ONNX, Keras applications).
        layers.add(conv("/layer4/layer4.1/downsample/downsample.0/Conv", 1, 2048, 1024));
        layers.add(conv("block_16_depthwise_BN_relu_project_conv", 2, 1280, 320));
        // As the panel holds it (it used to pin the list to 300 pixels, cutting these rows off).
        LayerList list = new FilterScopePanel().layerList();
        list.setLayers(layers);
        JList<LayerInfo> rows = list.layerJList();
        int widest = 0;
        for (LayerInfo l : layers) {
            widest = Math.max(widest, rows.getCellRenderer().getListCellRendererComponent(rows, l, 0, false, false)
                    .getPreferredSize().width);
        }
        assertTrue(rows.getFixedCellWidth() >= widest, rows.getFixedCellWidth() + " < " + widest);
        int preferred = list.getPreferredSize().width;
        assertTrue(preferred >= Math.min(LayerList.MAX_WIDTH, widest + 16), "list " + preferred + " px, rows need " + widest);
        assertTrue(preferred > 300, "the 300 px the list had cut these rows off: " + preferred);
    }

    @Test
    void shortNamesKeepTheNarrowList() {
        LayerList list = new LayerList();
        list.setLayers(List.of(new LayerInfo("r", "r", "Relu", LayerKind.OTHER, 0, "r_out", Optional.empty(), Optional.empty())));
        assertEquals(LayerList.MIN_WIDTH, list.getPreferredSize().width);
    }
}
