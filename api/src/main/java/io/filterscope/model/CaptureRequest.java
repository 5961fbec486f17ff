package io.filterscope.model;

import java.util.List;

/**
 * Which layers to capture and how.
 *
 * @param selection which layers: every layer with a spatial output, the named ones, or none (only
 *                  the final output)
 * @param layers    names of the layers to capture when {@code selection} is {@link Selection#NAMED}
 * @param mode      post- or pre-activation
 */
public record CaptureRequest(Selection selection, List<String> layers, CaptureMode mode) {

    /** How the layers to capture are chosen. */
    public enum Selection {
        /** Every layer with a spatial (N × C × H × W) output. */
        ALL_SPATIAL,
        /** The layers named in {@link #layers()}. */
        NAMED,
        /** No layer: only the model's output. */
        NONE
    }

    public CaptureRequest {
        layers = List.copyOf(layers);
        if (selection != Selection.NAMED && !layers.isEmpty()) {
            throw new IllegalArgumentException("layer names given with selection " + selection);
        }
    }

    /** Every layer with a spatial output, post-activation. */
    public static CaptureRequest allSpatial() {
        return new CaptureRequest(Selection.ALL_SPATIAL, List.of(), CaptureMode.POST_ACTIVATION);
    }

    /** The named layers, post-activation; an empty list means every layer with a spatial output. */
    public static CaptureRequest layers(List<String> names) {
        return names.isEmpty() ? allSpatial() : new CaptureRequest(Selection.NAMED, names, CaptureMode.POST_ACTIVATION);
    }

    /** The named layers, post-activation. */
    public static CaptureRequest layers(String... names) {
        return layers(List.of(names));
    }

    /** Only the model's output. */
    public static CaptureRequest outputOnly() {
        return new CaptureRequest(Selection.NONE, List.of(), CaptureMode.POST_ACTIVATION);
    }

    /** The same selection with another capture mode. */
    public CaptureRequest withMode(CaptureMode newMode) {
        return new CaptureRequest(selection, layers, newMode);
    }
}
