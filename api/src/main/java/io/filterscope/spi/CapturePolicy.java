package io.filterscope.spi;

import io.filterscope.model.CaptureMode;
import io.filterscope.model.CaptureRequest;
import io.filterscope.model.LayerInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Which tensor stands for a layer, and which layers "every spatial layer" means: the one capture
 * policy every backend applies, so that a model shows the same pictures whichever backend runs it.
 * A backend describes its graph in neutral terms ({@link Node}: an id, a {@link Role}, whether the
 * node applies an activation itself, whether its output is a model output, and the nodes it reads)
 * and asks this class; it never decides these things itself.
 *
 * <p>The policy:
 * <ul>
 *   <li><b>Post-activation representative.</b> A layer's picture is the output of the activation
 *       that follows it: starting at the layer, follow the only consumer through
 *       {@link Role#PASS_THROUGH} nodes (bias adds, batch normalisation, casts, layout transposes,
 *       dropout) to an {@link Role#ACTIVATION}, at most {@value #MAX_CHAIN} steps, never past a model
 *       output or a fork. A node that {@linkplain Node#activated() applies an activation itself}
 *       (an activation, or a DL4J layer with its activation function) is its own representative,
 *       and so is a layer with no activation after it. Runtimes fuse a conv with the activation
 *       after it; capturing the activation's output keeps that fusion.</li>
 *   <li><b>Every spatial layer</b> ({@link CaptureRequest.Selection#ALL_SPATIAL}), post-activation:
 *       layers in execution order whose own output is spatial, one per distinct representative (the
 *       Relu after a Conv is left out: the Conv already shows its output), leaving out every layer
 *       that only feeds a residual sum (through pass-through nodes, the only consumer is a
 *       {@link Role#SUM} of data branches): its picture is the block's output after its
 *       activation, and capturing it would split the fused Conv+Add+Relu the runtime runs. Name such
 *       a layer to see it.</li>
 *   <li><b>Pre-activation</b> ({@link CaptureMode#PRE_ACTIVATION}): every layer stands for itself
 *       and every spatial layer is shown.</li>
 * </ul>
 *
 * <p>A backend maps a layer to its node by {@link LayerInfo#outputTensor()}: the node's
 * {@link Node#id() id} must be that name. Nodes that are not layers (an ONNX Transpose, a Cast) are
 * described too, so the policy can walk through them. Instances are immutable and thread-safe.
 */
public final class CapturePolicy {

    /** How far the post-activation walk goes from a layer; exporters add a few plumbing nodes at most. */
    public static final int MAX_CHAIN = 8;

    /** What a node is to the policy; everything not listed is {@link #OTHER}. */
    public enum Role {
        /** An element-wise activation function (Relu, Sigmoid, Tanh, ...; an activation layer). */
        ACTIVATION,
        /**
         * A node whose output is its single data input changed in no way worth its own picture:
         * batch normalisation at inference, a bias add or scale by a constant, a cast, a layout
         * transpose, identity, dropout.
         */
        PASS_THROUGH,
        /** An element-wise sum of two or more data branches: the join of a residual block. */
        SUM,
        /** Anything else: convolutions, pooling, dense layers, concatenation, shape changes. */
        OTHER
    }

    /**
     * One node of a backend's graph.
     *
     * @param id          unique id; for a layer, its {@link LayerInfo#outputTensor()}
     * @param role        what the node is to the policy
     * @param activated   whether the node's output is already after an activation (an activation
     *                    node, or a layer that applies its activation function itself)
     * @param modelOutput whether the node's output is a model output (the walk stops there)
     * @param inputs      ids of the nodes whose output this node reads, one entry per use; the model
     *                    input and constants are left out
     */
    public record Node(String id, Role role, boolean activated, boolean modelOutput, List<String> inputs) {
        public Node {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(role, "role");
            inputs = List.copyOf(inputs);
        }
    }

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();

    private CapturePolicy(List<Node> graph) {
        for (Node n : graph) {
            if (nodes.put(n.id(), n) != null) {
                throw new IllegalArgumentException("node id '" + n.id() + "' given twice");
            }
        }
        for (Node n : graph) {
            for (String in : n.inputs()) {
                if (nodes.containsKey(in)) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
    }

    /** The policy over a graph described by its nodes (any order; execution order reads best). */
    public static CapturePolicy of(List<Node> graph) {
        return new CapturePolicy(graph);
    }

    /**
     * The id of the node whose output shows node {@code id} after its activation (see the class
     * comment); {@code id} itself when no activation follows.
     */
    public String postActivation(String id) {
        Node start = node(id);
        if (start.activated() || start.role() == Role.ACTIVATION) {
            return id;
        }
        Node t = start;
        for (int step = 0; step < MAX_CHAIN; step++) {
            Node next = onlyConsumer(t);
            if (next == null) {
                break;
            }
            if (next.role() == Role.ACTIVATION) {
                return next.id();
            }
            if (next.role() != Role.PASS_THROUGH) {
                break;
            }
            t = next;
        }
        return id;
    }

    /** The id of the node whose output stands for node {@code id} in this mode. */
    public String representative(String id, CaptureMode mode) {
        return mode == CaptureMode.POST_ACTIVATION ? postActivation(id) : node(id).id();
    }

    /**
     * Whether node {@code id} only feeds a residual sum: through pass-through nodes, its only
     * consumer is a {@link Role#SUM}, and no output on the way is a model output.
     */
    public boolean feedsResidualSum(String id) {
        Node t = node(id);
        for (int step = 0; step < MAX_CHAIN; step++) {
            Node next = onlyConsumer(t);
            if (next == null) {
                return false;
            }
            if (next.role() == Role.SUM) {
                return true;
            }
            if (next.role() != Role.PASS_THROUGH) {
                return false;
            }
            t = next;
        }
        return false;
    }

    /**
     * The layers a request captures, in order, each with the id of the node whose output to capture
     * for it.
     *
     * @param layers the model's layers in execution order
     * @param byName finds a named layer, throwing the model's "no layer named" error when there is none
     */
    public Map<LayerInfo, String> select(CaptureRequest request, List<LayerInfo> layers, Function<String, LayerInfo> byName) {
        Map<LayerInfo, String> out = new LinkedHashMap<>();
        CaptureMode mode = request.mode();
        switch (request.selection()) {
            case NONE -> { }
            case NAMED -> request.layers().stream().map(byName)
                    .forEach(l -> out.putIfAbsent(l, representative(l.outputTensor(), mode)));
            case ALL_SPATIAL -> {
                Set<String> seen = new LinkedHashSet<>();
                for (LayerInfo l : layers) {
                    if (!l.hasSpatialOutput()
                            || (mode == CaptureMode.POST_ACTIVATION && feedsResidualSum(l.outputTensor()))) {
                        continue;
                    }
                    String shown = representative(l.outputTensor(), mode);
                    if (seen.add(shown)) {
                        out.put(l, shown);
                    }
                }
            }
            default -> throw new IllegalStateException("unknown selection " + request.selection());
        }
        return out;
    }

    /** The nodes, as given. */
    public List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    private Node node(String id) {
        Node n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node '" + id + "' in the graph given to the capture policy");
        }
        return n;
    }

    /** The single consumer of {@code n}'s output, or null at a model output, a fork or a dead end. */
    private Node onlyConsumer(Node n) {
        if (n.modelOutput()) {
            return null;
        }
        List<Node> next = consumers.getOrDefault(n.id(), List.of());
        return next.size() == 1 ? next.get(0) : null;
    }

    @Override
    public String toString() {
        return "CapturePolicy[" + nodes.size() + " nodes]";
    }
}
