package io.filterscope.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Method names, request defaults and checks, and the faithfulness area. */
class ExplainRequestTest {

    @Test
    void methodsParseByTheirCommandLineNames() {
        for (Method m : Method.values()) {
            assertEquals(m, Method.parse(m.id()));
            assertEquals(m, Method.parse(m.name()));
        }
        assertEquals(Method.GRAD_CAM_PLUS_PLUS, Method.parse(" GradCAMpp "));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> Method.parse("ablation"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("unknown explanation method 'ablation'; known: gradcam, gradcampp, layercam, scorecam, ablationcam,"
                + " occlusion, saliency, smoothgrad", e.getMessage());
        assertEquals("scorecam, ablationcam, occlusion", Method.forwardOnlyIds());
        assertEquals(Method.ABLATION_CAM, Method.parse("ablation_cam"));
        assertTrue(!Method.ABLATION_CAM.needsGradients() && Method.ABLATION_CAM.isCam());
        assertTrue(Method.LAYER_CAM.needsGradients() && Method.LAYER_CAM.isCam());
        assertFalse(Method.OCCLUSION.needsGradients() || Method.OCCLUSION.isCam());
    }

    @Test
    void defaultsAndWithers() {
        ExplainRequest r = ExplainRequest.of(Method.SCORE_CAM);
        assertEquals(OptionalInt.empty(), r.outputIndex());
        assertEquals(Optional.empty(), r.layer());
        assertEquals(32, r.batchSize());
        ExplainRequest s = r.forOutput(3).atLayer("conv3").withBatchSize(4).withTopChannels(8);
        assertEquals(OptionalInt.of(3), s.outputIndex());
        assertEquals(Optional.of("conv3"), s.layer());
        assertEquals(4, s.batchSize());
        assertEquals(8, s.topChannels());
        assertEquals(r.forOutput(3).atLayer("conv3").withBatchSize(4).withTopChannels(8), s);
    }

    @Test
    void occlusionPicksWindowAndStrideFromTheInput() {
        ExplainRequest.Occlusion auto = ExplainRequest.Occlusion.auto();
        assertEquals(4, auto.windowFor(28, 28));
        assertEquals(28, auto.windowFor(224, 300));
        assertEquals(14, auto.strideFor(28));
        assertEquals(1, auto.windowFor(3, 5));
        assertEquals(1, auto.strideFor(1));
        ExplainRequest.Occlusion set = new ExplainRequest.Occlusion(50, 3, 0.5f);
        assertEquals(28, set.windowFor(28, 40));
        assertEquals(3, set.strideFor(28));
    }

    @Test
    void badValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ExplainRequest.of(Method.GRAD_CAM).forOutput(-1));
        assertThrows(IllegalArgumentException.class, () -> ExplainRequest.of(Method.GRAD_CAM).withBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> new ExplainRequest.SmoothGrad(-0.1f, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> new ExplainRequest.SmoothGrad(0.1f, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ExplainRequest.Occlusion(-1, 0, 0));
    }

    @Test
    void areaIsTheTrapezoidRuleOverZeroToOne() {
        assertEquals(0.5, Faithfulness.area(List.of(1.0, 0.0)), 1e-12);
        assertEquals(0.375, Faithfulness.area(List.of(1.0, 0.25, 0.0)), 1e-12);
        assertEquals(0.7, Faithfulness.area(List.of(0.7)), 1e-12);
    }
}
