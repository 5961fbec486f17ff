package io.filterscope.explain;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** An explanation method: what it needs from the model and where its heatmap lives. */
public enum Method {
    /** Grad-CAM (Selvaraju et al. 2017): channels weighed by their mean gradient. */
    GRAD_CAM("gradcam", true, true),
    /** Grad-CAM++ (Chattopadhay et al. 2018): pixel-wise weights from second and third powers of the gradient. */
    GRAD_CAM_PLUS_PLUS("gradcampp", true, true),
    /** LayerCAM (Jiang et al. 2021): each position weighed by its own positive gradient. */
    LAYER_CAM("layercam", true, true),
    /** Score-CAM (Wang et al. 2020): channels weighed by the class probability of the input masked by them. Forward only. */
    SCORE_CAM("scorecam", false, true),
    /**
     * Ablation-CAM (Ramaswamy and Desai 2020): channel k weighed by the relative drop of the class score
     * when the layer's channel k is zeroed and the rest of the network run, (y − yₖ) / y. Forward only;
     * needs {@link io.filterscope.model.Capability#RUN_FROM_LAYER}.
     */
    ABLATION_CAM("ablationcam", false, true),
    /** Occlusion sensitivity (Zeiler and Fergus 2014): how much the score drops when a window is covered. Forward only. */
    OCCLUSION("occlusion", false, false),
    /** Vanilla saliency (Simonyan et al. 2014): the largest absolute input gradient over the channels. */
    SALIENCY("saliency", true, false),
    /** SmoothGrad (Smilkov et al. 2017): saliency of the input gradient averaged over noisy copies. */
    SMOOTH_GRAD("smoothgrad", true, false);

    private final String id;
    private final boolean gradients;
    private final boolean cam;

    Method(String id, boolean gradients, boolean cam) {
        this.id = id;
        this.gradients = gradients;
        this.cam = cam;
    }

    /** The short name the command line uses, e.g. {@code gradcam}. */
    public String id() {
        return id;
    }

    /** Whether the method needs {@link io.filterscope.model.Capability#GRADIENTS}. */
    public boolean needsGradients() {
        return gradients;
    }

    /** Whether the heatmap is a class activation map at a layer's resolution (else at the input's). */
    public boolean isCam() {
        return cam;
    }

    /** The short names of the methods that run on any model, for messages. */
    public static String forwardOnlyIds() {
        return Arrays.stream(values()).filter(m -> !m.gradients).map(Method::id).collect(Collectors.joining(", "));
    }

    /**
     * The method with this short name (case-insensitive).
     *
     * @throws FilterScopeException of kind {@link ErrorKind#INVALID_ARGUMENT} naming the known ones
     */
    public static Method parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Method m : values()) {
            if (m.id.equals(n) || m.name().toLowerCase(Locale.ROOT).equals(n)) {
                return m;
            }
        }
        throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "unknown explanation method '" + name + "'; known: "
                + Arrays.stream(values()).map(Method::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
