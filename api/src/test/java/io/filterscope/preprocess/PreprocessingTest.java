package io.filterscope.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import io.filterscope.model.Layout;
import io.filterscope.model.ModelMetadata;
import io.filterscope.model.TensorSpec;
import io.filterscope.tensor.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PreprocessingTest {

    private static ModelMetadata model(Layout layout, long... dims) {
        TensorSpec in = new TensorSpec("input", Shape.of(dims), List.of(), "float32");
        TensorSpec out = new TensorSpec("logits", Shape.of(1, 10), List.of(), "float32");
        return new ModelMetadata(Path.of("m.onnx"), 1, "ONNX", "", "", 0, List.of(in), List.of(out), layout);
    }

    @Test
    void presetsParseByNameAndAlias() {
        assertEquals(Preset.IMAGENET, Preset.parse("torchvision"));
        assertEquals(Preset.IMAGENET, Preset.parse(" ImageNet "));
        assertEquals(Preset.CAFFE, Preset.parse("keras_caffe"));
        assertEquals(Preset.TF, Preset.parse("Keras-TF"));
        assertEquals(Preset.UNIT, Preset.parse("0..1"));
        assertEquals(Preset.RAW, Preset.parse("0..255"));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Preset.parse("imagenett"));
        assertEquals("unknown preprocessing preset 'imagenett'; use one of imagenet, caffe, tf, unit, raw "
                + "(or torchvision, keras-caffe, keras-tf, 0..1, 0..255)", e.getMessage());
    }

    @Test
    void imagenetIsTorchvisionsEvalTransform() {
        Preprocessing p = Preprocessing.of(Preset.IMAGENET, 3, 224, 224, Layout.NCHW);
        assertEquals(256, p.resizeShorterSide());
        assertTrue(p.centerCrop());
        assertEquals(ChannelOrder.RGB, p.order());
        assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, p.mean());
        assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, p.std());
        assertEquals(255f, Preprocessor.divisor(p.scale()));
        Preprocessing unknown = Preprocessing.of(Preset.IMAGENET, 3, 0, 0, Layout.NCHW);
        assertEquals(224, unknown.height());
        assertEquals(224, unknown.width());
        Preprocessing gray = Preprocessing.of(Preset.IMAGENET, 1, 224, 224, Layout.NCHW);
        assertArrayEquals(new float[] {0.449f}, gray.mean(), 1e-6f);
        assertArrayEquals(new float[] {0.226f}, gray.std(), 1e-6f);
    }

    @Test
    void kerasPresets() {
        Preprocessing caffe = Preprocessing.of(Preset.CAFFE, 3, 224, 224, Layout.NHWC);
        assertEquals(ChannelOrder.BGR, caffe.order());
        assertArrayEquals(new float[] {103.939f, 116.779f, 123.68f}, caffe.mean());
        assertEquals(1f, caffe.scale());
        assertFalse(caffe.centerCrop());
        Preprocessing tf = Preprocessing.of(Preset.TF, 3, 299, 299, Layout.NHWC);
        assertEquals(127.5f, Preprocessor.divisor(tf.scale()));
        assertArrayEquals(new float[] {1, 1, 1}, tf.mean());
        assertEquals(0, tf.resizeShorterSide());
    }

    @Test
    void defaultsFollowChannelsAndLayout() {
        Preprocessing mnist = Preprocessing.forModel(model(Layout.NCHW, -1, 1, 28, 28), Optional.empty());
        assertEquals(Preprocessing.of(Preset.UNIT, 1, 28, 28, Layout.NCHW), mnist);
        Preprocessing resnet = Preprocessing.forModel(model(Layout.NCHW, 1, 3, 224, 224), Optional.empty());
        assertEquals(Preprocessing.of(Preset.IMAGENET, 3, 224, 224, Layout.NCHW), resnet);
        Preprocessing keras = Preprocessing.forModel(model(Layout.NHWC, -1, -1, -1, 3), Optional.empty());
        assertEquals(Preprocessing.of(Preset.TF, 3, 0, 0, Layout.NHWC), keras);
        // A free height and width (a detector): ImageNet's normalisation, but the whole image, no 224 crop.
        Preprocessing dynamicImagenet = Preprocessing.forModel(model(Layout.NCHW, -1, 3, -1, -1), Optional.empty());
        assertEquals(new Preprocessing(0, 0, 0, false, 3, ChannelOrder.RGB, 1f / 255f, new float[] {0.485f, 0.456f, 0.406f},
                new float[] {0.229f, 0.224f, 0.225f}, Layout.NCHW), dynamicImagenet);
        assertTrue(dynamicImagenet.hasFreeSize());
        // One free axis alone still takes 224 (and the crop) for ImageNet.
        assertEquals(224, Preprocessing.forModel(model(Layout.NCHW, -1, 3, 224, -1), Optional.empty()).width());
        Preprocessing explicit = Preprocessing.forModel(model(Layout.NHWC, 1, 224, 224, 3), Optional.of(Preset.CAFFE));
        assertEquals(Preprocessing.of(Preset.CAFFE, 3, 224, 224, Layout.NHWC), explicit);
    }

    @Test
    void unknownLayoutIsGuessedFromWhereTheChannelsAre() {
        assertEquals(Layout.NHWC, Preprocessing.forModel(model(Layout.UNKNOWN, 1, 32, 32, 3), Optional.empty()).layout());
        assertEquals(Layout.NCHW, Preprocessing.forModel(model(Layout.UNKNOWN, 1, 1, 32, 32), Optional.empty()).layout());
    }

    @Test
    void nonImageInputsAreRefusedNamingTheModel() {
        FilterScopeException rank = assertThrows(FilterScopeException.class,
                () -> Preprocessing.forModel(model(Layout.UNKNOWN, 1, 784), Optional.empty()));
        assertTrue(rank.getMessage().startsWith("m.onnx: input 'input' has shape 1×784"), rank.getMessage());
        FilterScopeException four = assertThrows(FilterScopeException.class,
                () -> Preprocessing.forModel(model(Layout.NCHW, 1, 4, 64, 64), Optional.empty()));
        assertTrue(four.getMessage().contains("has 4 channels"), four.getMessage());
    }

    @Test
    void valueSemanticsDespiteArrays() {
        Preprocessing a = Preprocessing.of(Preset.IMAGENET, 3, 224, 224, Layout.NCHW);
        Preprocessing b = Preprocessing.of(Preset.IMAGENET, 3, 224, 224, Layout.NCHW);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        a.mean()[0] = 99;
        assertEquals(0.485f, a.mean()[0], "accessors hand out copies");
        assertNotEquals(a, a.withLayout(Layout.NHWC));
        assertThrows(IllegalArgumentException.class,
                () -> new Preprocessing(8, 8, 0, false, 3, ChannelOrder.RGB, 1, new float[1], new float[] {1, 1, 1}, Layout.NCHW));
        assertThrows(IllegalArgumentException.class,
                () -> new Preprocessing(8, 8, 0, false, 2, ChannelOrder.RGB, 1, new float[2], new float[2], Layout.NCHW));
    }

    @Test
    void freeSizesFollowPaddleOcrsDetResize() {
        // PaddleOCR's DetResizeForTest (limit_type max): ratio = limit / longest side when over the limit,
        // then each side int(side × ratio), rounded to a multiple of 32, at least 32. Worked by hand.
        assertEquals(new FreeSize.Size(96, 160), FreeSize.DEFAULT.resolve(100, 150));      // 3.125 → 3, 4.69 → 5
        assertEquals(new FreeSize.Size(1024, 672), FreeSize.DEFAULT.resolve(3000, 2000));  // ratio 0.3413: 1023/1024, 682
        assertEquals(new FreeSize.Size(32, 32), FreeSize.DEFAULT.resolve(5, 9));
        assertEquals(new FreeSize.Size(100, 150), new FreeSize(1024, 1).resolve(100, 150));
        assertEquals(new FreeSize.Size(480, 640), new FreeSize(640, 32).resolve(1200, 1600));
        assertThrows(IllegalArgumentException.class, () -> new FreeSize(1024, 0));

        Preprocessing free = Preprocessing.forModel(model(Layout.NCHW, -1, 3, -1, -1), Optional.empty());
        Preprocessing sized = free.forImage(100, 150, FreeSize.DEFAULT);
        assertEquals(96, sized.height());
        assertEquals(160, sized.width());
        assertFalse(sized.centerCrop());
        Preprocessing fixed = Preprocessing.forModel(model(Layout.NCHW, 1, 1, 28, 28), Optional.empty());
        assertEquals(fixed, fixed.forImage(100, 150, FreeSize.DEFAULT));
    }
}
