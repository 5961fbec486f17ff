package io.filterscope.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import io.filterscope.Fixtures;
import io.filterscope.model.Layout;
import io.filterscope.tensor.Npy;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Compares our pipeline with PIL and torchvision outputs stored by make_fixtures.py. */
class PreprocessorTest {
    /**
     * Our resampler reproduces PIL's 8-bit arithmetic, so the only differences left are float32
     * rounding in the normalisation: far below the 0.02 that would still be visually identical.
     */
    private static final float TIGHT = 1e-5f;

    private static final Path RGB = Fixtures.path("preprocess/rgb_40x30.png");

    private static Preprocessing imagenet(int resize, int h, int w) {
        Preprocessing preset = Preprocessing.of(Preset.IMAGENET, 3, h, w, Layout.NCHW);
        return new Preprocessing(h, w, resize, true, 3, ChannelOrder.RGB, preset.scale(), preset.mean(), preset.std(), Layout.NCHW);
    }

    @Test
    void imagenetDownscaleAndCropMatchesTorchvision() {
        assertMatches("imagenet_20_16.npy", Preprocessor.load(RGB, imagenet(20, 16, 16)), TIGHT);
    }

    @Test
    void imagenetUpscaleWithNonSquareCropMatchesTorchvision() {
        assertMatches("imagenet_48_40x44.npy", Preprocessor.load(RGB, imagenet(48, 40, 44)), TIGHT);
    }

    @Test
    void imagenetPresetAtTheEvalRatioMatchesTorchvision() {
        Preprocessing p = Preprocessing.of(Preset.IMAGENET, 3, 56, 56, Layout.NCHW);
        assertEquals(64, p.resizeShorterSide(), "56 / 0.875");
        assertMatches("imagenet_64_56.npy", Preprocessor.load(RGB, p), TIGHT);
    }

    @Test
    void tfPresetWithStraightResizeMatchesPilAndKerasFormula() {
        Tensor t = Preprocessor.load(RGB, Preprocessing.of(Preset.TF, 3, 17, 23, Layout.NHWC));
        assertEquals(Shape.of(1, 17, 23, 3), t.shape());
        assertMatches("tf_17x23_nhwc.npy", t, TIGHT);
    }

    @Test
    void caffePresetIsBgrMinusBgrMeansAtTheImagesOwnSize() {
        Tensor t = Preprocessor.load(RGB, Preprocessing.of(Preset.CAFFE, 3, 0, 0, Layout.NHWC));
        assertEquals(Shape.of(1, 30, 40, 3), t.shape());
        assertMatches("caffe_nhwc.npy", t, 0f);
    }

    @Test
    void grayFromRgbUsesPilLumaThenResizes() {
        Tensor t = Preprocessor.load(RGB, Preprocessing.of(Preset.UNIT, 1, 11, 13, Layout.NCHW));
        assertMatches("gray_from_rgb_11x13.npy", t, TIGHT);
    }

    @Test
    void unitGrayWithoutResizeIsExact() {
        Path gray = Fixtures.path("preprocess/gray_28.png");
        assertMatches("gray_28_unit.npy", Preprocessor.load(gray, Preprocessing.of(Preset.UNIT, 1, 28, 28, Layout.NCHW)), 0f);
        assertMatches("gray_28_unit.npy", Preprocessor.load(gray, Preprocessing.of(Preset.UNIT, 1, 0, 0, Layout.NCHW)), 0f);
        assertMatches("gray_28_as_rgb_unit.npy", Preprocessor.load(gray, Preprocessing.of(Preset.UNIT, 3, 0, 0, Layout.NCHW)), 0f);
    }

    @Test
    void sixteenBitGrayKeepsItsPrecision() {
        Path file = Fixtures.path("preprocess/gray16_20x12.png");
        Tensor t = Preprocessor.load(file, Preprocessing.of(Preset.UNIT, 1, 0, 0, Layout.NCHW));
        assertEquals(Shape.of(1, 1, 12, 20), t.shape());
        assertMatches("gray16_20x12_unit.npy", t, 0f);
        // 1 and 65534 would both be lost to 8-bit rounding (to 0 and 255).
        assertTrue(t.get(1) > 0 && t.get(1) < 1e-4f, "value 1 of 65535: " + t.get(1));
        assertTrue(t.get(2) < 1 && t.get(2) > 0.9999f, "value 65534 of 65535: " + t.get(2));
    }

    @Test
    void sixteenBitRgbKeepsItsPrecision() {
        Tensor t = Preprocessor.load(Fixtures.path("preprocess/rgb16_6x5.png"), Preprocessing.of(Preset.UNIT, 3, 0, 0, Layout.NCHW));
        assertMatches("rgb16_6x5_unit.npy", t, 0f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"palette_11x9.png", "rgba_11x9.png", "la_11x9.png", "rgb_11x9.bmp", "palette_11x9.gif"})
    void decodesLikePilConvertRgb(String name) {
        Tensor t = Preprocessor.load(Fixtures.path("preprocess/" + name), Preprocessing.of(Preset.UNIT, 3, 0, 0, Layout.NCHW));
        assertMatches(name.replace('.', '_') + "_unit.npy", t, 0f);
    }

    @Test
    void decodesJpegCloseToLibjpeg() {
        // JPEG decoders may differ by a level or two in their inverse DCT; PIL uses libjpeg.
        Tensor t = Preprocessor.load(Fixtures.path("preprocess/rgb_11x9.jpg"), Preprocessing.of(Preset.UNIT, 3, 0, 0, Layout.NCHW));
        assertMatches("rgb_11x9_jpg_unit.npy", t, 3f / 255);
    }

    @Test
    void bgrPresetPutsBlueFirst() {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x0A141E); // r=10, g=20, b=30
        Tensor t = Preprocessor.apply(img, Preprocessing.of(Preset.CAFFE, 3, 0, 0, Layout.NCHW));
        assertArrayEquals(new float[] {30 - 103.939f, 20 - 116.779f, 10 - 123.68f}, t.toArray(), 1e-4f);
    }

    @Test
    void toImageInvertsThePreprocessing() {
        BufferedImage original = Images.read(RGB);
        for (Preset preset : new Preset[] {Preset.CAFFE, Preset.TF, Preset.UNIT, Preset.RAW}) {
            for (Layout layout : new Layout[] {Layout.NCHW, Layout.NHWC}) {
                Preprocessing p = Preprocessing.of(preset, 3, 0, 0, layout);
                BufferedImage back = Preprocessor.toImage(Preprocessor.apply(original, p), p);
                assertEquals(40, back.getWidth());
                assertEquals(30, back.getHeight());
                for (int y = 0; y < 30; y++) {
                    for (int x = 0; x < 40; x++) {
                        assertEquals(original.getRGB(x, y) & 0xffffff, back.getRGB(x, y) & 0xffffff, preset + " " + layout + " at " + x + "," + y);
                    }
                }
            }
        }
    }

    @Test
    void toImageOfTorchvisionsTensorEqualsToImageOfOurs() {
        Preprocessing p = imagenet(20, 16, 16);
        BufferedImage theirs = Preprocessor.toImage(Npy.read(Fixtures.path("preprocess/imagenet_20_16.npy")), p);
        BufferedImage ours = Preprocessor.toImage(Preprocessor.load(RGB, p), p);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                assertEquals(theirs.getRGB(x, y), ours.getRGB(x, y));
            }
        }
    }

    @Test
    void grayToImageKeepsValuesWithoutGammaShift() {
        Path gray = Fixtures.path("preprocess/gray_28.png");
        Preprocessing p = Preprocessing.of(Preset.UNIT, 1, 0, 0, Layout.NCHW);
        BufferedImage back = Preprocessor.toImage(Preprocessor.load(gray, p), p);
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, back.getType());
        float[] original = Images.pixels(Images.read(gray))[0];
        int[] samples = back.getRaster().getSamples(0, 0, 28, 28, 0, new int[28 * 28]);
        for (int i = 0; i < samples.length; i++) {
            assertEquals((int) original[i], samples[i]);
        }
    }

    @Test
    void toImageClampsOutOfRangeValues() {
        Preprocessing p = Preprocessing.of(Preset.UNIT, 3, 0, 0, Layout.NCHW);
        Tensor t = Tensor.of(Shape.of(1, 3, 1, 2), new float[] {-5, 2, 0.5f, 0.5f, 0, 1});
        BufferedImage img = Preprocessor.toImage(t, p);
        assertEquals(0x008000, img.getRGB(0, 0) & 0xffffff);
        assertEquals(0xff80ff, img.getRGB(1, 0) & 0xffffff);
        assertThrows(FilterScopeException.class, () -> Preprocessor.toImage(Tensor.zeros(Shape.of(1, 2, 3, 3)), p));
    }

    @Test
    void centerCropOffsetsRoundHalfToEvenLikeTorchvision() {
        // 5 → 2 leaves 3 spare: round(1.5) = 2 in Python; 7 → 2 leaves 5: round(2.5) = 2.
        float[] row = {0, 1, 2, 3, 4, 5, 6};
        Planes five = new Planes(5, 1, new float[][] {java.util.Arrays.copyOf(row, 5)}, true);
        assertArrayEquals(new float[] {2, 3}, Preprocessor.centerCrop(five, 1, 2).data()[0]);
        Planes seven = new Planes(7, 1, new float[][] {row}, true);
        assertArrayEquals(new float[] {2, 3}, Preprocessor.centerCrop(seven, 1, 2).data()[0]);
        // Smaller than the crop: padded with black, as torchvision pads.
        Planes small = new Planes(2, 1, new float[][] {{9, 9}}, true);
        assertArrayEquals(new float[] {0, 9, 9, 0, 0}, Preprocessor.centerCrop(small, 1, 5).data()[0]);
    }

    @Test
    void resizeShorterSideLikeTorchvision() {
        assertArrayEquals(new int[] {26, 20}, Preprocessor.shorterSideSize(40, 30, 20));
        assertArrayEquals(new int[] {256, 341}, Preprocessor.shorterSideSize(480, 640, 256));
        assertArrayEquals(new int[] {256, 256}, Preprocessor.shorterSideSize(100, 100, 256));
    }

    @Test
    void unreadableImagesAreNamed(@TempDir Path dir) throws IOException {
        Path bad = Files.writeString(dir.resolve("notes.png"), "not an image");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Images.read(bad));
        assertEquals(bad + ": not a readable image (PNG, JPEG, BMP or GIF expected)", e.getMessage());
        byte[] png = Files.readAllBytes(RGB);
        Path cut = Files.write(dir.resolve("cut.png"), java.util.Arrays.copyOf(png, png.length / 2));
        assertEquals(cut + ": not a readable image (PNG, JPEG, BMP or GIF expected)",
                assertThrows(FilterScopeException.class, () -> Images.read(cut)).getMessage());
        Path missing = dir.resolve("missing.png");
        assertTrue(assertThrows(FilterScopeException.class, () -> Preprocessor.load(missing, Preprocessing.of(Preset.UNIT, 1, 0, 0, Layout.NCHW)))
                .getMessage().startsWith(missing + ": no such file"));
    }

    static void assertMatches(String fixture, Tensor actual, float tolerance) {
        Tensor expected = Npy.read(Fixtures.path("preprocess/" + fixture));
        assertEquals(expected.shape(), actual.shape(), fixture + " shape");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        float worst = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            float d = Math.abs(e[i] - a[i]);
            if (d > worst || Float.isNaN(d)) {
                worst = d;
                at = i;
            }
        }
        float w = worst;
        int i = at;
        assertTrue(worst <= tolerance, () -> fixture + ": max abs diff " + w + " at " + i + " (expected " + e[i] + ", got " + a[i] + ")");
    }
}
