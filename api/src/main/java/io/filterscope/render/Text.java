package io.filterscope.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.Map;

/**
 * Small labels in rendered images. Uses Java's logical sans-serif font; where the runtime has no
 * usable font at all (slim headless JREs without fontconfig fonts throw on the first text
 * operation), falls back to a built-in 3×5 pixel font drawn at double size, so rendering never
 * fails for want of fonts.
 */
final class Text implements AutoCloseable {
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    private static final int BITMAP_SCALE = 2;
    private static final boolean SYSTEM_FONT_WORKS = probe();

    private final boolean system;
    /** The graphics the labels of one image are drawn with: made once per image, as a grid has hundreds of labels. */
    private Graphics2D pen;
    private BufferedImage penImage;

    private Text(boolean system) {
        this.system = system;
    }

    /** The best text renderer this runtime offers. */
    static Text get() {
        return new Text(SYSTEM_FONT_WORKS);
    }

    /** The built-in pixel font, whatever fonts the runtime has (for tests). */
    static Text bitmap() {
        return new Text(false);
    }

    private static boolean probe() {
        try {
            BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            try {
                g.setFont(FONT);
                g.getFontMetrics().stringWidth("0123456789");
                g.drawString("0", 0, 7);
            } finally {
                g.dispose();
            }
            return true;
        } catch (Throwable t) {
            // Missing fonts surface as Errors (InternalError, UnsatisfiedLinkError) as well as exceptions.
            return false;
        }
    }

    /**
     * The font's metrics, made once per thread: making them (an image and its graphics) cost more
     * than measuring, and a grid measures every tile label. One per thread, as FontMetrics keeps
     * caches that are not documented as safe to share.
     */
    private static final ThreadLocal<FontMetrics> METRICS = ThreadLocal.withInitial(() -> {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            return g.getFontMetrics(FONT);
        } finally {
            g.dispose();
        }
    });

    private static FontMetrics metrics() {
        return METRICS.get();
    }

    /** Height of a line of text in pixels. */
    int lineHeight() {
        return system ? metrics().getHeight() : 7 * BITMAP_SCALE;
    }

    /** Width of {@code s} in pixels. */
    int width(String s) {
        return system ? metrics().stringWidth(s) : s.length() * 4 * BITMAP_SCALE - BITMAP_SCALE;
    }

    /** Lets go of the graphics of the image drawn on last. */
    @Override
    public void close() {
        if (pen != null) {
            pen.dispose();
            pen = null;
            penImage = null;
        }
    }

    /** Draws {@code s} with its top-left corner at (x, y); {@link #close} when done with the image. */
    void draw(BufferedImage img, String s, int x, int y, int rgb) {
        if (system) {
            if (pen == null || penImage != img) {
                close();
                pen = img.createGraphics();
                penImage = img;
                pen.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                pen.setFont(FONT);
            }
            pen.setColor(new Color(rgb));
            pen.drawString(s, x, y + pen.getFontMetrics().getAscent());
            return;
        }
        int cx = x;
        for (char ch : s.toUpperCase(Locale.ROOT).toCharArray()) {
            String glyph = GLYPHS.getOrDefault(ch, GLYPHS.get('?'));
            for (int row = 0; row < 5; row++) {
                for (int col = 0; col < 3; col++) {
                    if (glyph.charAt(row * 3 + col) == '1') {
                        fill(img, cx + col * BITMAP_SCALE, y + BITMAP_SCALE + row * BITMAP_SCALE, BITMAP_SCALE, rgb);
                    }
                }
            }
            cx += 4 * BITMAP_SCALE;
        }
    }

    private static void fill(BufferedImage img, int x0, int y0, int size, int rgb) {
        for (int y = y0; y < y0 + size; y++) {
            for (int x = x0; x < x0 + size; x++) {
                if (x >= 0 && y >= 0 && x < img.getWidth() && y < img.getHeight()) {
                    img.setRGB(x, y, rgb);
                }
            }
        }
    }

    /** 3×5 glyphs, rows top to bottom. */
    private static final Map<Character, String> GLYPHS = Map.ofEntries(
            Map.entry('0', "111101101101111"), Map.entry('1', "010110010010111"), Map.entry('2', "111001111100111"),
            Map.entry('3', "111001111001111"), Map.entry('4', "101101111001001"), Map.entry('5', "111100111001111"),
            Map.entry('6', "111100111101111"), Map.entry('7', "111001001001001"), Map.entry('8', "111101111101111"),
            Map.entry('9', "111101111001111"), Map.entry('A', "010101111101101"), Map.entry('B', "110101110101110"),
            Map.entry('C', "011100100100011"), Map.entry('D', "110101101101110"), Map.entry('E', "111100110100111"),
            Map.entry('F', "111100110100100"), Map.entry('G', "011100101101011"), Map.entry('H', "101101111101101"),
            Map.entry('I', "111010010010111"), Map.entry('J', "001001001101010"), Map.entry('K', "101101110101101"),
            Map.entry('L', "100100100100111"), Map.entry('M', "101111111101101"), Map.entry('N', "110101101101101"),
            Map.entry('O', "010101101101010"), Map.entry('P', "110101110100100"), Map.entry('Q', "010101101110011"),
            Map.entry('R', "110101110101101"), Map.entry('S', "011100010001110"), Map.entry('T', "111010010010010"),
            Map.entry('U', "101101101101111"), Map.entry('V', "101101101101010"), Map.entry('W', "101101111111101"),
            Map.entry('X', "101101010101101"), Map.entry('Y', "101101010010010"), Map.entry('Z', "111001010100111"),
            Map.entry('-', "000000111000000"), Map.entry('\u2013', "000000111000000"), Map.entry('\u2212', "000000111000000"),
            Map.entry('+', "000010111010000"), Map.entry('.', "000000000000010"), Map.entry(',', "000000000010100"),
            Map.entry(':', "000010000010000"), Map.entry('/', "001001010100100"), Map.entry('(', "001010010010001"),
            Map.entry(')', "100010010010100"), Map.entry('\u00d7', "000101010101000"), Map.entry(' ', "000000000000000"),
            Map.entry('?', "111001010000010"), Map.entry('\u2026', "000000000000101"));
}
