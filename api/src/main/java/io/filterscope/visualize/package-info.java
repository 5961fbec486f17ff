/**
 * Feature visualisation by optimisation: what input excites a layer's channel, or a class, found by
 * gradient ascent on the input ({@link io.filterscope.visualize.FeatureVisualizer}), with random
 * shift, scale and rotation at each step, total-variation and L2 penalties, and a decorrelated Fourier
 * image parameterisation, as in Lucid and Lucent. Written against
 * {@link io.filterscope.model.Model#gradients}, so every backend with
 * {@link io.filterscope.model.Capability#GRADIENTS} has it; a channel target is a
 * {@link io.filterscope.model.GradientRequest.ChannelMean}.
 */
package io.filterscope.visualize;
