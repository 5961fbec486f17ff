package io.filterscope.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.Activations;
import io.filterscope.model.Capability;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.FilterBank;
import io.filterscope.model.GradientRequest;
import io.filterscope.model.Gradients;
import io.filterscope.model.LayerInfo;
import io.filterscope.model.Layout;
import io.filterscope.model.Model;
import io.filterscope.model.ModelMetadata;
import io.filterscope.model.TensorSpec;
import io.filterscope.tensor.Shape;
import io.filterscope.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A backend that reports gradients but whose backward pass lacks an operator (as the ONNX backward
 * pass will for operators it does not cover): the explainer keeps the backend's message and adds
 * which methods still work. The model here is a seam: the real backends are tested in their modules.
 */
class GradientRefusalTest {

    /** Two outputs, which the forward pass gives as they are; the backward pass refuses. */
    private static final class NoBackwardModel implements Model {
        @Override
        public ModelMetadata metadata() {
            return new ModelMetadata(Path.of("/models/odd.onnx"), 1, "ONNX", "", "", 0,
                    List.of(new TensorSpec("x", Shape.of(-1, 1, 2, 2), List.of(), "float32")),
                    List.of(new TensorSpec("y", Shape.of(-1, 2), List.of(), "float32")), Layout.NCHW);
        }

        @Override
        public List<LayerInfo> layers() {
            return List.of();
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of(Capability.GRADIENTS);
        }

        @Override
        public FilterBank filters(String layer) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Activations capture(Tensor input, CaptureRequest request) {
            return new Activations(List.of(), Tensor.of(Shape.of(1, 2), new float[] {0.2f, 0.7f}));
        }

        @Override
        public Gradients gradients(Tensor input, GradientRequest request) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, "odd.onnx: the backward pass has no rule for operator 'Einsum' (node 'e1')");
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aMissingBackwardOperatorIsNamedAndForwardOnlyMethodsSuggested() {
        Tensor x = Tensor.zeros(Shape.of(1, 1, 2, 2));
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> new Explainer(new NoBackwardModel()).explain(x, ExplainRequest.of(Method.SALIENCY)));
        assertEquals(ErrorKind.UNSUPPORTED, e.kind());
        assertEquals("odd.onnx: the backward pass has no rule for operator 'Einsum' (node 'e1'); use a forward-only method:"
                + " scorecam, occlusion", e.getMessage());
    }

    @Test
    void ablationCamOnAModelThatCannotRunFromALayerSuggestsScoreCam() {
        Tensor x = Tensor.zeros(Shape.of(1, 1, 2, 2));
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> new Explainer(new NoBackwardModel()).explain(x, ExplainRequest.of(Method.ABLATION_CAM)));
        assertEquals(ErrorKind.UNSUPPORTED, e.kind());
        assertEquals("odd.onnx: ablationcam needs to run the network from a layer's output, which the ONNX backend cannot;"
                + " use scorecam, which also needs no gradients", e.getMessage());
    }

    @Test
    void aGivenClassIsCheckedAgainstTheDeclaredOutputs() {
        Tensor x = Tensor.zeros(Shape.of(1, 1, 2, 2));
        FilterScopeException e = assertThrows(FilterScopeException.class,
                () -> new Explainer(new NoBackwardModel()).explain(x, ExplainRequest.of(Method.SALIENCY).forOutput(2)));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("odd.onnx: class 2 is out of range; the model has 2 outputs (0 to 1)", e.getMessage());
    }

    @Test
    void aBatchIsRefused() {
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> new Explainer(new NoBackwardModel())
                .explain(Tensor.zeros(Shape.of(2, 1, 2, 2)), ExplainRequest.of(Method.OCCLUSION)));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("odd.onnx: got a batch of 2 inputs; explain one input at a time (a batch of 1)", e.getMessage());
    }
}
