package io.filterscope.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngTest {

    @Test
    void encodesLosslesslyAndWritesAFile(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        int[] colours = {0x000000, 0xff0000, 0x00ff00, 0x0000ff, 0x123456, 0xffffff};
        for (int i = 0; i < 6; i++) {
            img.setRGB(i % 3, i / 3, colours[i]);
        }
        byte[] png = Png.encode(img);
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
        for (int i = 0; i < 6; i++) {
            assertEquals(colours[i], back.getRGB(i % 3, i / 3) & 0xffffff);
        }
        Path file = dir.resolve("grid.png");
        Png.write(img, file);
        assertEquals(0x123456, ImageIO.read(file.toFile()).getRGB(1, 1) & 0xffffff);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }
}
