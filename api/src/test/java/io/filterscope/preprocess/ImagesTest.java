package io.filterscope.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.Fixtures;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImagesTest {

    @Test
    void eightBitGrayIsReadFromTheRasterNotThroughGetRgb() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {50, 200});
        assertTrue(Images.isGray(img));
        // getRGB treats the gray as linear and brightens 50 to about 124: the value a model must not see.
        assertTrue((img.getRGB(0, 0) & 0xff) > 100);
        assertArrayEquals(new float[] {50, 200}, Images.pixels(img)[0]);
    }

    @Test
    void sixteenBitGrayIsValueOver257() {
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 257 * 100 + 1, 65535});
        float[] v = Images.pixels(img)[0];
        assertEquals(0f, v[0]);
        assertEquals(100 + 1 / 257f, v[1], 1e-5f);
        assertEquals(255f, v[2]);
    }

    @Test
    void paletteAndAlphaGiveThreeChannels() {
        BufferedImage palette = Images.read(Fixtures.path("preprocess/palette_11x9.png"));
        assertFalse(Images.isGray(palette));
        assertEquals(3, Images.pixels(palette).length);
        BufferedImage la = Images.read(Fixtures.path("preprocess/la_11x9.png"));
        assertTrue(Images.isGray(la));
        assertEquals(1, Images.pixels(la).length, "gray + alpha is one channel; alpha dropped");
    }

    @Test
    void pixelsAreACopy() {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        Images.pixels(img)[0][0] = 99;
        assertEquals(0f, Images.pixels(img)[0][0]);
    }
}
