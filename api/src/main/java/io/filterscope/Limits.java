package io.filterscope;

import java.util.Locale;

/**
 * Bounds on what a file may make FilterScope allocate, read when they are needed, so that a file
 * that declares more than this JVM can hold is refused with one line instead of an
 * {@link OutOfMemoryError}. Each can be raised (or lowered) with a system property, e.g.
 * {@code java -Dfilterscope.image.maxPixels=400000000 -jar filterscope.jar …}.
 */
public final class Limits {
    /** System property: the most pixels (width × height) an image may declare before it is decoded. */
    public static final String IMAGE_MAX_PIXELS = "filterscope.image.maxPixels";
    /**
     * Pillow's limit ({@code Image.MAX_IMAGE_PIXELS}, a 1 GB 24-bit image): a photo from a camera is
     * far below it, a decompression bomb far above.
     */
    public static final long DEFAULT_IMAGE_MAX_PIXELS = 1024L * 1024 * 1024 / 4 / 3;
    /**
     * System property: the most bytes one capture's feature maps may take; a number with an optional
     * k, m or g suffix as for {@code -Xmx} (e.g. {@code 4g}). Default: half the maximum heap.
     */
    public static final String CAPTURE_MAX_BYTES = "filterscope.capture.maxBytes";

    private Limits() {
    }

    /** The image limit in pixels, from {@value #IMAGE_MAX_PIXELS} or {@link #DEFAULT_IMAGE_MAX_PIXELS}. */
    public static long imageMaxPixels() {
        return read(IMAGE_MAX_PIXELS, DEFAULT_IMAGE_MAX_PIXELS);
    }

    /** The capture budget in bytes, from {@value #CAPTURE_MAX_BYTES} or half the maximum heap. */
    public static long captureMaxBytes() {
        return read(CAPTURE_MAX_BYTES, Runtime.getRuntime().maxMemory() / 2);
    }

    private static long read(String property, long fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return parseSize(value);
        } catch (NumberFormatException e) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "-D" + property + "=" + value + " is not a number (a k, m or g suffix may follow, e.g. 4g)");
        }
    }

    /** {@code 123}, {@code 64k}, {@code 512m}, {@code 4g} (powers of 1024), underscores allowed. */
    static long parseSize(String text) {
        String s = text.trim().replace("_", "").toLowerCase(Locale.ROOT);
        long unit = 1;
        if (!s.isEmpty() && "kmg".indexOf(s.charAt(s.length() - 1)) >= 0) {
            unit = 1L << (10 * ("kmg".indexOf(s.charAt(s.length() - 1)) + 1));
            s = s.substring(0, s.length() - 1);
        }
        long n = Long.parseLong(s);
        if (n < 0 || n > Long.MAX_VALUE / unit) {
            throw new NumberFormatException(text);
        }
        return n * unit;
    }
}
