package io.filterscope.swing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertTrue(d.fitToView(), "grids fit the view, so a small layer's filters are not tiny");
        assertEquals(1.0, d.zoom());
    }

    @Test
    void settingAZoomLeavesFitToViewAndFitToViewKeepsTheLastZoom() {
        ViewSettings two = ViewSettings.defaults().withZoom(2);
        assertFalse(two.fitToView());
        assertEquals(2, two.zoom());
        ViewSettings fitted = two.withColormap(Colormap.MAGMA).withFitToView();
        assertTrue(fitted.fitToView());
        assertEquals(2, fitted.zoom(), "kept for when the person zooms again");
        assertTrue(fitted.withColormap(Colormap.GRAY).fitToView(), "other changes keep it");
        assertFalse(new ViewSettings(null, Colormap.GRAY, Normalization.PER_TILE, ChannelSelection.all(), 1).fitToView());
    }

    @Test
    void theFittedZoomIsAWholeNumberWhenItMagnifiesAndTheExactFractionWhenItShrinks() {
        // conv1 of the bundled model: 16 filters of 3×3 drawn in a grid of about 230 × 200 pixels.
        assertEquals(3, ViewSettings.fit(230, 200, 800, 700), "min(3.48, 3.5), rounded down: crisp squares");
        assertEquals(1, ViewSettings.fit(230, 200, 400, 250));
        assertEquals(0.5, ViewSettings.fit(2000, 1000, 1000, 900), 1e-12, "a large grid shrinks to fit");
        assertEquals(ViewSettings.MAX_ZOOM, ViewSettings.fit(10, 10, 1000, 1000));
        assertEquals(ViewSettings.MIN_ZOOM, ViewSettings.fit(100_000, 100, 1000, 1000));
        assertEquals(1, ViewSettings.fit(230, 200, 0, 0), "before the view has a size");
    }

    @Test
    void copiesChangeOneThing() {
        ViewSettings d = ViewSettings.defaults();
        ViewSettings s = d.withPreset(Preset.CAFFE).withColormap(Colormap.MAGMA).withNormalization(Normalization.PER_TILE)
                .withChannels(ChannelSelection.top(ChannelSelection.Mode.TOP_MAX, 8)).withZoom(2.5);
        assertEquals(new ViewSettings(Preset.CAFFE, Colormap.MAGMA, Normalization.PER_TILE,
                new ChannelSelection(ChannelSelection.Mode.TOP_MAX, 8), 2.5), s);
        assertEquals(d, s.withPreset(null).withColormap(Colormap.VIRIDIS).withNormalization(Normalization.PER_LAYER)
                .withChannels(ChannelSelection.all()).withZoom(1).withFitToView());
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
