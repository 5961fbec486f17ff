/**
 * Explanations of a model's decision: which parts of the input drove an output.
 *
 * <p>Everything here is written against {@link io.filterscope.model.Model}, so every backend gets
 * it. Forward-only methods ({@link io.filterscope.explain.Method#SCORE_CAM},
 * {@link io.filterscope.explain.Method#OCCLUSION}) need only {@code capture}/{@code run}; gradient
 * methods (Grad-CAM, Grad-CAM++, LayerCAM, saliency, SmoothGrad) need
 * {@link io.filterscope.model.Capability#GRADIENTS} and use {@code Model.gradients}.
 *
 * <pre>{@code
 * try (Model model = FilterScope.open(Path.of("model.onnx"))) {
 *     Explanation e = new Explainer(model).explain(input, ExplainRequest.of(Method.GRAD_CAM));
 *     BufferedImage overlay = e.heatmap().overlay(image, Colormap.INFERNO, 0.5f);
 * }
 * }</pre>
 *
 * <p>{@link io.filterscope.explain.Faithfulness} measures how well a heatmap ranks the input's
 * pixels (deletion and insertion curves), so methods can be compared on the user's own model.
 */
package io.filterscope.explain;
