package io.filterscope.preprocess;

/**
 * The order of colour channels a model expects. PyTorch and Keras-'tf' models take RGB; models from
 * Caffe (and Keras in 'caffe' mode, e.g. its VGG and ResNet50) take BGR, because OpenCV decodes
 * images that way.
 */
public enum ChannelOrder {
    /** Red, green, blue. */
    RGB,
    /** Blue, green, red. */
    BGR
}
