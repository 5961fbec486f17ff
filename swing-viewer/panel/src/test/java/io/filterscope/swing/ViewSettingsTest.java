package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.filterscope.preprocess.Preset;
import io.filterscope.render.Colormap;
import io.filterscope.render.Normalization;
import org.junit.jupiter.api.Test;

class ViewSettingsTest {

    @Test
    void defaultsFollowTheModelAndShowEveryChannel() {
        ViewSettings d = ViewSettings.defaults();
        assertNull(d.preset(), "the model's own default preset");
        assertEquals(Colormap.VIRIDIS, d.colormap());
        assertEquals(Normalization.PER_LAYER, d.normalization());
        assertEquals(ChannelSelection.Mode.ALL, d.channels().mode());
        assertEquals(1.0, d.zoom());
    }

    @Test
    void copiesChangeOneThing() {
        ViewSettings d = ViewSettings.defaults();
        ViewSettings s = d.withPreset(Preset.CAFFE).withColormap(Colormap.MAGMA).withNormalization(Normalization.PER_TILE)
                .withChannels(ChannelSelection.top(ChannelSelection.Mode.TOP_MAX, 8)).withZoom(2.5);
        assertEquals(new ViewSettings(Preset.CAFFE, Colormap.MAGMA, Normalization.PER_TILE,
                new ChannelSelection(ChannelSelection.Mode.TOP_MAX, 8), 2.5), s);
        assertEquals(d, s.withPreset(null).withColormap(Colormap.VIRIDIS).withNormalization(Normalization.PER_LAYER)
                .withChannels(ChannelSelection.all()).withZoom(1));
    }

    @Test
    void zoomIsClampedByWithZoomAndRefusedByTheConstructor() {
        assertEquals(ViewSettings.MAX_ZOOM, ViewSettings.defaults().withZoom(1000).zoom());
        assertEquals(ViewSettings.MIN_ZOOM, ViewSettings.defaults().withZoom(0).zoom());
        assertThrows(IllegalArgumentException.class,
                () -> new ViewSettings(null, Colormap.GRAY, Normalization.PER_TILE, ChannelSelection.all(), 0));
        assertThrows(NullPointerException.class,
                () -> new ViewSettings(null, null, Normalization.PER_TILE, ChannelSelection.all(), 1));
    }

    @Test
    void topSelectionsNeedAPositiveCount() {
        assertThrows(IllegalArgumentException.class, () -> ChannelSelection.top(ChannelSelection.Mode.TOP_MEAN, 0));
        assertThrows(IllegalArgumentException.class, () -> ChannelSelection.top(ChannelSelection.Mode.ALL, 3));
        assertEquals(5, ChannelSelection.top(ChannelSelection.Mode.TOP_MEAN, 5).count());
    }
}
