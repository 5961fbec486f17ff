package io.filterscope.model;

import io.filterscope.tensor.Shape;
import java.util.List;

/**
 * A named model input or output as the model file declares it.
 *
 * @param name      the tensor name in the model
 * @param shape     dimensions, {@link Shape#UNKNOWN} where dynamic
 * @param dimNames  symbolic names of the dimensions ("batch", "N"), empty strings where none
 * @param elementType the element type as the format names it ("float32", "uint8", ...)
 */
public record TensorSpec(String name, Shape shape, List<String> dimNames, String elementType) {
    public TensorSpec {
        dimNames = List.copyOf(dimNames);
    }

    /** The shape with symbolic names in place of unknown dimensions, e.g. {@code batch×3×224×224}. */
    public String describeShape() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.rank(); i++) {
            if (i > 0) {
                sb.append('×');
            }
            long d = shape.dim(i);
            String n = i < dimNames.size() ? dimNames.get(i) : "";
            sb.append(d != Shape.UNKNOWN ? Long.toString(d) : n.isEmpty() ? "?" : n);
        }
        return sb.toString();
    }
}
