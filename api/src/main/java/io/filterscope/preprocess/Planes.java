package io.filterscope.preprocess;

/**
 * An image as one float plane per channel on a 0..255 scale, row-major. {@code eightBit} says every
 * value is an integer 0..255 from an 8-bit source, which lets the resampler use PIL's 8-bit
 * arithmetic and so match PIL and torchvision to the bit.
 */
record Planes(int width, int height, float[][] data, boolean eightBit) {

    int channels() {
        return data.length;
    }
}
