/**
 * Keras 3 files into Deeplearning4j. DL4J 1.0.0-M2.1's own Keras import stops at Keras 2 ("Keras
 * major version has to be either 1 or 2"), so {@link io.filterscope.dl4j.keras.Keras3Reader} reads
 * Keras 3's two forms itself and builds the network.
 *
 * <p>How: the model config (Jackson; {@code config.json} in a {@code .keras} zip, the
 * {@code model_config} attribute of a legacy {@code .h5}) becomes a DL4J
 * {@code ComputationGraphConfiguration} built here, one vertex per Keras layer and named as it. Spatial
 * layers are configured NHWC, as Keras computes, so tensors, Flatten order and Dense weights need no
 * permutation; only convolution kernels are reordered into DL4J's parameter layouts (Conv2D and
 * SeparableConv2D {@code [kH,kW,in,out] → [out,in,kH,kW]}, Conv2DTranspose
 * {@code [kH,kW,out,in] → [in,out,kH,kW]}, DepthwiseConv2D unchanged). Weights are read in pure Java
 * ({@link io.filterscope.dl4j.keras.Hdf5Reader}, jhdf; the native HDF5 library never sees a Keras
 * file, and is not on the class path): {@code layers/<group>/vars/0..n} by position in the zip form (the group is
 * found by the layer name Keras records on it, or else by Keras' class-based group naming), and by
 * variable name under {@code model_weights/<layer>/} in the legacy form. Every DL4J parameter must
 * be filled from the file.
 *
 * <p>What DL4J lacks is supplied as activation functions (gradients included): Keras 3's
 * {@code Rescaling} ({@link io.filterscope.dl4j.keras.ScaleOffsetActivation}), {@code hard_sigmoid}
 * ({@link io.filterscope.dl4j.keras.HardSigmoidActivation}) and exact {@code gelu}
 * ({@link io.filterscope.dl4j.keras.GeluActivation}). Activation vertices copy their input
 * ({@link io.filterscope.dl4j.keras.PreservingActivation}, {@link io.filterscope.dl4j.keras.PreservingSoftmax})
 * because DL4J's {@code ActivationLayer} overwrites it at inference. Operations with no DL4J
 * counterpart and no parameters of their own (broadcast multiply, reshape, permute, layer
 * normalisation, per-channel affine maps for Normalization and LayerScale) are graph vertices:
 * subclasses of {@link io.filterscope.dl4j.keras.KerasOpVertex} with a hand-written backward pass,
 * run by {@link io.filterscope.dl4j.keras.OpVertex}. Nested Sequential models are inlined, and
 * arithmetic on Keras tensors ({@code x + 3.0}) becomes {@code ops.*} layers. What is supported is
 * one registry ({@code GraphAssembler.LAYERS}, {@code KerasActivations.ACTIVATIONS}), from which
 * docs/keras-layers.md is generated.
 */
package io.filterscope.dl4j.keras;
