package io.filterscope.preprocess;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The usual ways to turn an 8-bit image into a model input. Each names the convention of the
 * framework that trained the model; a model fed another convention than its own still runs but
 * predicts poorly, so pick the one its training code used.
 */
public enum Preset {
    /**
     * torchvision's ImageNet evaluation transform: resize the shorter side to 256, center-crop 224,
     * scale to 0..1, then subtract mean (0.485, 0.456, 0.406) and divide by std (0.229, 0.224, 0.225),
     * RGB. At other sizes the crop keeps the same ratio (crop = 0.875 × resize).
     */
    IMAGENET,
    /**
     * Keras 'caffe' mode (VGG16, ResNet50 in keras.applications): RGB→BGR, values 0..255 minus the
     * BGR means (103.939, 116.779, 123.68), no scaling.
     */
    CAFFE,
    /** Keras 'tf' mode (MobileNet, Inception, Xception): x / 127.5 − 1, giving −1..1, RGB. */
    TF,
    /** x / 255, giving 0..1 (MNIST-style models). */
    UNIT,
    /** The 0..255 values as floats, unchanged. */
    RAW;

    private static final Map<String, Preset> ALIASES = Map.ofEntries(
            Map.entry("imagenet", IMAGENET), Map.entry("torchvision", IMAGENET), Map.entry("torch", IMAGENET),
            Map.entry("pytorch", IMAGENET),
            Map.entry("caffe", CAFFE), Map.entry("keras-caffe", CAFFE),
            Map.entry("tf", TF), Map.entry("keras-tf", TF), Map.entry("tensorflow", TF), Map.entry("-1..1", TF),
            Map.entry("unit", UNIT), Map.entry("0..1", UNIT),
            Map.entry("raw", RAW), Map.entry("0..255", RAW), Map.entry("none", RAW));

    /**
     * The preset with this name, ignoring case, '_' and '-' alike: the enum names and the aliases
     * torchvision, pytorch, keras-caffe, keras-tf, tensorflow, -1..1, 0..1, 0..255 and none.
     *
     * @throws FilterScopeException listing the valid names when none matches
     */
    public static Preset parse(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        Preset p = ALIASES.get(key);
        if (p == null) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "unknown preprocessing preset '" + name + "'; use one of "
                    + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                    + " (or torchvision, keras-caffe, keras-tf, 0..1, 0..255)");
        }
        return p;
    }
}
