package io.filterscope.model;

/** Which tensor stands for a layer's output when feature maps are captured. */
public enum CaptureMode {
    /**
     * The output after the activation that directly follows the layer (Conv → Relu gives Relu's
     * output). The default: it is what the next layer sees, and it leaves the runtime free to fuse
     * the layer with its activation.
     */
    POST_ACTIVATION,
    /** The layer's own output, before any activation. May cost speed where the runtime fuses layers. */
    PRE_ACTIVATION
}
