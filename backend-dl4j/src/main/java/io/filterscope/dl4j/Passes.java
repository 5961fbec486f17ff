package io.filterscope.dl4j;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.model.GradientRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Forward and backward passes over a network's steps in inference mode. The caller holds the
 * network's lock and calls {@link #clear()} afterwards.
 *
 * <p>Backward walks the steps in reverse with DL4J's own {@code backpropGradient} / vertex
 * {@code doBackward}, except where DL4J's backprop assumes training: batch normalisation (DL4J
 * differentiates through the batch statistics; at inference the layer is a per-channel affine map
 * with the stored statistics) and the output layer (DL4J's starts from labels and a loss; here it
 * starts from the chosen output unit, before the softmax for {@link GradientRequest.Score#LOGIT}).
 */
final class Passes {
    private final Network net;
    private final List<Step> steps;
    private final String name;
    /** Gradients: every array detached, as DL4J's backprop code expects of a manager without workspaces. */
    private final LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    /**
     * Captures: every array a pass makes lives in workspaces of the thread that runs it (the
     * model's {@link CaptureThread}), reused pass after pass, so native memory stays flat without
     * the garbage collector: the input and the layers' outputs in one that is open for the whole
     * capture (see {@link #captureScope()}), each layer's scratch memory in another. Their
     * configuration is DL4J's own for inference (its {@code ComputationGraph.output}): sized by
     * the first pass, grown when a larger input needs more. One manager per model: DL4J's helpers
     * keep state in it.
     */
    private final LayerWorkspaceMgr captureMgr;

    private static final WorkspaceConfiguration CAPTURE_WORKSPACE = WorkspaceConfiguration.builder().initialSize(0)
            .overallocationLimit(0.05).policyLearning(LearningPolicy.FIRST_LOOP).policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE).policyAllocation(AllocationPolicy.OVERALLOCATE).build();

    /** The workspaces a capture's arrays live in, named for {@link CaptureThread#usage()}. */
    static final String ACTIVATIONS_WORKSPACE = "FILTERSCOPE_CAPTURE_ACTIVATIONS";
    static final String WORKING_WORKSPACE = "FILTERSCOPE_FF_WORKING_MEM";

    Passes(Network net, String name) {
        this.net = net;
        this.steps = net.steps();
        this.name = name;
        // defaultNoWorkspace() comes last: it scopes out every type not configured yet, and a later
        // with(...) does not undo that (the per-thread working memory of the previous version was
        // never used because of it).
        this.captureMgr = LayerWorkspaceMgr.builder()
                .with(ArrayType.INPUT, ACTIVATIONS_WORKSPACE, CAPTURE_WORKSPACE)
                .with(ArrayType.ACTIVATIONS, ACTIVATIONS_WORKSPACE, CAPTURE_WORKSPACE)
                .with(ArrayType.FF_WORKING_MEM, WORKING_WORKSPACE, CAPTURE_WORKSPACE)
                .with(ArrayType.RNN_FF_LOOP_WORKING_MEM, WORKING_WORKSPACE, CAPTURE_WORKSPACE)
                .defaultNoWorkspace()
                .build();
    }

    /**
     * Opens the workspace a capture's arrays are made in, on the calling thread. Everything wanted
     * from {@link #forward} or {@link #forwardFrom} (and the input, when made inside) must be
     * copied to the heap before it is closed: closing it makes its memory the next capture's.
     */
    MemoryWorkspace captureScope() {
        return captureMgr.notifyScopeEntered(ArrayType.ACTIVATIONS);
    }

    /** The outputs of one forward pass, per step. */
    record Forward(INDArray input, INDArray[] activations, INDArray[] preActivations) {
        INDArray activation(int step) {
            return activations[step];
        }

        INDArray preActivation(int step) {
            return preActivations[step] != null ? preActivations[step] : activations[step];
        }

        /**
         * Frees the native memory of every array this pass made, now rather than whenever the
         * garbage collector finds them: ND4J releases an array's off-heap buffer only when its Java
         * object is collected or it is closed, and a large heap with little Java garbage may not be
         * collected for thousands of passes. Views and arrays that DL4J does not let go of are left
         * alone. Call after everything wanted has been copied out.
         */
        void release() {
            Set<INDArray> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            Arrays4Release.closeAll(seen, input);
            Arrays4Release.closeAll(seen, activations);
            Arrays4Release.closeAll(seen, preActivations);
        }

        INDArray[] inputsOf(Step s) {
            INDArray[] in = new INDArray[s.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                int from = s.inputs().get(i);
                in[i] = from == Step.NETWORK_INPUT ? input : activations[from];
            }
            return in;
        }
    }

    /** A forward pass with the epsilons (d score / d output) of every step the score depends on. */
    record Backward(Forward forward, INDArray[] epsilons, INDArray inputEpsilon) {
        INDArray epsilon(int step) {
            return epsilons[step];
        }
    }

    /**
     * Runs the steps up to the network output, or further when a wanted step comes later (a branch
     * that does not lead to the first output).
     *
     * @param preActivation steps whose output is also wanted before their activation function
     * @param upTo          the last step whose output is wanted
     */
    Forward forward(INDArray input, Set<Integer> preActivation, int upTo) {
        return forward(input, preActivation, upTo, captureMgr);
    }

    private Forward forward(INDArray input, Set<Integer> preActivation, int upTo, LayerWorkspaceMgr mgr) {
        return forwardTo(input, preActivation, Math.max(net.outputStep(), upTo), mgr);
    }

    /** Runs the steps up to {@code last} (or a later pre-activation step), not necessarily to the network output. */
    private Forward forwardTo(INDArray input, Set<Integer> preActivation, int last, LayerWorkspaceMgr mgr) {
        for (int p : preActivation) {
            last = Math.max(last, p);
        }
        INDArray[] acts = new INDArray[steps.size()];
        INDArray[] pre = new INDArray[steps.size()];
        Forward f = new Forward(input, acts, pre);
        for (int i = 0; i <= last; i++) {
            Step s = steps.get(i);
            INDArray[] in = f.inputsOf(s);
            try {
                acts[i] = s.forward(in, mgr);
                if (preActivation.contains(i)) {
                    pre[i] = preActivation(s, in, mgr);
                }
            } catch (RuntimeException e) {
                throw new FilterScopeException(ErrorKind.INFERENCE_FAILED, name + ": layer '" + s.name() + "' (" + s.op() + ") failed on input "
                        + java.util.Arrays.toString(input.shape()) + " (" + Dl4jModel.firstLine(e.getMessage()) + ")", e);
            }
        }
        return f;
    }

    /**
     * Runs the steps the network output needs from step {@code cut}'s output, given as
     * {@code value}: what {@code Model.runFrom} computes. Steps before the cut are not run, except
     * where the steps after it also read steps before it or the network input by a path around it (a
     * skip connection over a layer inside a residual block): given {@code input}, those are computed
     * by a pass over it, as far as the last of them, and repeated over {@code value}'s batch when
     * {@code input} is a batch of one.
     *
     * @param layer the layer the cut stands for, for messages
     * @param input the input {@code value} was made from, or null
     * @throws FilterScopeException of kind {@link ErrorKind#UNSUPPORTED} when the output also needs the
     *         network input by a path around the cut and {@code input} is null
     */
    Forward forwardFrom(int cut, INDArray value, String layer, INDArray input) {
        int out = net.outputStep();
        boolean[] fromCut = new boolean[steps.size()];
        fromCut[cut] = true;
        for (int i = cut + 1; i < steps.size(); i++) {
            for (int from : steps.get(i).inputs()) {
                fromCut[i] |= from != Step.NETWORK_INPUT && fromCut[from];
            }
        }
        boolean[] needed = new boolean[steps.size()];
        // Steps before the cut (or beside it) that needed steps read; NETWORK_INPUT counts as -1 here.
        java.util.SortedSet<Integer> crossing = new java.util.TreeSet<>();
        java.util.Deque<Integer> todo = new java.util.ArrayDeque<>(List.of(out));
        while (!todo.isEmpty()) {
            int i = todo.pop();
            if (i == cut || needed[i]) {
                continue;
            }
            if (!fromCut[i]) {
                crossing.add(i);
                continue;
            }
            needed[i] = true;
            for (int from : steps.get(i).inputs()) {
                if (from == Step.NETWORK_INPUT) {
                    crossing.add(Step.NETWORK_INPUT);
                } else {
                    todo.push(from);
                }
            }
        }
        if (!crossing.isEmpty() && input == null) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, name + ": the output does not depend on layer '" + layer
                    + "' alone (a branch from the input around it joins " + join(cut) + "), so the network cannot be run from its"
                    + " output alone; give the input too (runFrom(layer, layerOutput, input)) or choose a later layer, such as one after the join");
        }
        long rows = value.size(0);
        INDArray[] acts = new INDArray[steps.size()];
        INDArray fedInput = null;
        if (!crossing.isEmpty()) {
            Forward head = forwardTo(input, Set.of(), crossing.last() == Step.NETWORK_INPUT ? 0 : crossing.last(), captureMgr);
            try {
                for (int i : crossing) {
                    INDArray a = i == Step.NETWORK_INPUT ? input : head.activation(i);
                    INDArray batch = a.size(0) == rows ? a.dup() : a.repeat(0, rows);
                    if (i == Step.NETWORK_INPUT) {
                        fedInput = batch;
                    } else {
                        acts[i] = batch;
                    }
                }
            } finally {
                head.release();
            }
        }
        acts[cut] = value;
        Forward f = new Forward(fedInput, acts, new INDArray[steps.size()]);
        for (int i = cut + 1; i <= out; i++) {
            if (!needed[i]) {
                continue;
            }
            Step s = steps.get(i);
            try {
                acts[i] = s.forward(f.inputsOf(s), captureMgr);
            } catch (RuntimeException e) {
                throw new FilterScopeException(ErrorKind.INFERENCE_FAILED, name + ": layer '" + s.name() + "' (" + s.op() + ") failed on layer '"
                        + layer + "' output " + java.util.Arrays.toString(value.shape()) + " (" + Dl4jModel.firstLine(e.getMessage()) + ")", e);
            }
        }
        return f;
    }

    /** Where the first branch that bypasses step {@code cut} meets the steps after it: "at 'name'". */
    private String join(int cut) {
        boolean[] fromCut = new boolean[steps.size()];
        boolean[] fromInput = new boolean[steps.size()];
        fromCut[cut] = true;
        for (int i = 0; i < steps.size(); i++) {
            if (i == cut) {
                continue;
            }
            boolean c = false;
            boolean in = false;
            for (int from : steps.get(i).inputs()) {
                in |= from == Step.NETWORK_INPUT || (from != cut && fromInput[from]);
                c |= from != Step.NETWORK_INPUT && fromCut[from];
            }
            if (c && in) {
                return "at '" + steps.get(i).name() + "'";
            }
            fromCut[i] = c;
            fromInput[i] = in;
        }
        return "later";
    }

    /**
     * The step's output before its activation function: an activation layer's input, or the layer
     * run again with its activation set to identity (the layer was just run, so its input is set).
     */
    private INDArray preActivation(Step s, INDArray[] in, LayerWorkspaceMgr mgr) {
        Optional<org.deeplearning4j.nn.conf.layers.Layer> conf = s.conf();
        if (conf.isPresent() && conf.get() instanceof ActivationLayer) {
            return s.layerInput(in, mgr);
        }
        if (!hasOwnActivation(s)) {
            return null;
        }
        BaseLayer b = (BaseLayer) conf.get();
        IActivation own = b.getActivationFn();
        b.setActivationFn(new ActivationIdentity());
        try (MemoryWorkspace working = mgr.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
            s.layer().get().allowInputModification(false);
            return s.layer().get().activate(s.layerInput(in, mgr), false, mgr);
        } finally {
            b.setActivationFn(own);
        }
    }

    /**
     * d(Σₙ score[n, outputIndex]) / d every step output and the input. DL4J's layer backprop reruns
     * the layer in training mode, which would apply dropout and weight noise: both are switched off
     * for the pass, so the gradient is that of the inference network.
     */
    Backward backward(INDArray input, int outputIndex, GradientRequest.Score score, int upTo) {
        return inInferenceMode(() -> inferenceBackward(input, outputIndex, score, upTo));
    }

    /**
     * d(Σ seed · output of {@code step}) / d every earlier step output and the input, running the
     * network only as far as {@code step} (or {@code upTo}, when later). {@code seed} makes the
     * seed from the step's output (its shape, in the network's own layout).
     */
    Backward backwardFrom(INDArray input, int step, java.util.function.UnaryOperator<INDArray> seed, int upTo) {
        return inInferenceMode(() -> {
            net.ensureGradientViews();
            Forward f = forwardTo(input, Set.of(), Math.max(step, upTo), mgr);
            INDArray[] eps = new INDArray[steps.size()];
            eps[step] = seed.apply(f.activation(step));
            return propagate(input, f, eps, new INDArray[1], step);
        });
    }

    private Backward inInferenceMode(java.util.function.Supplier<Backward> pass) {
        List<Runnable> restore = new ArrayList<>();
        for (Step s : steps) {
            s.conf().ifPresent(c -> {
                var dropout = c.getIDropout();
                if (dropout != null) {
                    c.setIDropout(null);
                    restore.add(() -> c.setIDropout(dropout));
                }
                if (c instanceof BaseLayer b && b.getWeightNoise() != null) {
                    var noise = b.getWeightNoise();
                    b.setWeightNoise(null);
                    restore.add(() -> b.setWeightNoise(noise));
                }
            });
        }
        try {
            return pass.get();
        } finally {
            restore.forEach(Runnable::run);
        }
    }

    private Backward inferenceBackward(INDArray input, int outputIndex, GradientRequest.Score score, int upTo) {
        net.ensureGradientViews();
        Forward f = forward(input, Set.of(), upTo, mgr);
        int outStep = net.outputStep();
        Step out = steps.get(outStep);
        INDArray y = f.activation(outStep);
        if (y.rank() != 2) {
            throw new FilterScopeException(ErrorKind.UNSUPPORTED, name + ": the output of '" + out.name() + "' has shape " + java.util.Arrays.toString(y.shape())
                    + "; gradients need a batch × classes output");
        }
        if (outputIndex >= y.size(1)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, name + ": output index " + outputIndex + " is out of range; the model has "
                    + y.size(1) + " outputs (0.." + (y.size(1) - 1) + ")");
        }
        INDArray unit = Nd4j.zeros(y.dataType(), y.shape());
        unit.get(NDArrayIndex.all(), NDArrayIndex.point(outputIndex)).assign(1.0);

        INDArray[] eps = new INDArray[steps.size()];
        INDArray[] inputEps = {null};
        Optional<INDArray> throughHead = headEpsilon(out, f, unit, score);
        if (throughHead.isPresent()) {
            INDArray e = throughHead.get();
            if (out.preprocessor().isPresent()) {
                e = out.preprocessor().get().backprop(e, (int) e.size(0), mgr);
            }
            add(eps, inputEps, out.inputs().get(0), e);
            eps[outStep] = null;
        } else {
            eps[outStep] = unit;
        }
        return propagate(input, f, eps, inputEps, outStep);
    }

    /** Backpropagates the epsilons from step {@code from} down to the input. */
    private Backward propagate(INDArray input, Forward f, INDArray[] eps, INDArray[] inputEps, int from) {
        for (int i = from; i >= 0; i--) {
            INDArray e = eps[i];
            if (e == null) {
                continue;
            }
            Step s = steps.get(i);
            INDArray[] back;
            try {
                back = backward(s, f, e);
            } catch (RuntimeException ex) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, name + ": cannot differentiate through layer '" + s.name() + "' (" + s.op() + "): "
                        + Dl4jModel.firstLine(ex.getMessage()), ex);
            }
            for (int j = 0; j < back.length; j++) {
                add(eps, inputEps, s.inputs().get(j), back[j]);
            }
        }
        if (inputEps[0] == null) {
            inputEps[0] = Nd4j.zeros(input.dataType(), input.shape());
        }
        return new Backward(f, eps, inputEps[0]);
    }

    private static void add(INDArray[] eps, INDArray[] inputEps, int to, INDArray e) {
        // Copies: DL4J may hand out views of buffers it reuses in the next call.
        if (to == Step.NETWORK_INPUT) {
            inputEps[0] = inputEps[0] == null ? e.dup() : inputEps[0].addi(e);
        } else {
            eps[to] = eps[to] == null ? e.dup() : eps[to].addi(e);
        }
    }

    /**
     * The epsilon at the input of the output step, when the network ends in a layer whose DL4J
     * backprop needs labels (an output layer), or in a softmax and the logit is wanted; empty when
     * the chosen unit of the output itself is where backprop starts.
     */
    private Optional<INDArray> headEpsilon(Step out, Forward f, INDArray unit, GradientRequest.Score score) {
        Optional<org.deeplearning4j.nn.conf.layers.Layer> conf = out.conf();
        if (conf.isEmpty()) {
            return Optional.empty();
        }
        boolean logit = score == GradientRequest.Score.LOGIT;
        if (conf.get() instanceof ActivationLayer a) {
            return logit && a.getActivationFn() instanceof ActivationSoftmax ? Optional.of(unit) : Optional.empty();
        }
        boolean dense = conf.get() instanceof OutputLayer || conf.get() instanceof CenterLossOutputLayer;
        boolean loss = conf.get() instanceof LossLayer;
        if (!dense && !loss) {
            if (out.layer().get() instanceof IOutputLayer) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, name + ": gradients through the output layer " + out.op() + " are not supported; "
                        + "end the network with an OutputLayer or LossLayer");
            }
            if (logit && conf.get() instanceof BaseLayer b && b.getActivationFn() instanceof ActivationSoftmax) {
                throw new FilterScopeException(ErrorKind.UNSUPPORTED, name + ": layer '" + out.name() + "' applies its softmax inside; ask for the "
                        + "OUTPUT score, or end the network with an OutputLayer");
            }
            return Optional.empty();
        }
        Layer layer = out.layer().get();
        INDArray x = out.layerInput(f.inputsOf(out), mgr);
        INDArray w = dense ? layer.getParam("W") : null;
        INDArray z = x;
        if (dense) {
            z = x.mmul(w);
            INDArray b = layer.getParam("b");
            if (b != null) {
                z.addiRowVector(b);
            }
        }
        IActivation act = ((BaseLayer) conf.get()).getActivationFn();
        INDArray dz = logit && act instanceof ActivationSoftmax ? unit : act.backprop(z.dup(), unit.dup()).getFirst();
        return Optional.of(dense ? dz.mmul(w.transpose()) : dz);
    }

    /** The epsilons of a step's inputs from the epsilon of its output. */
    private INDArray[] backward(Step s, Forward f, INDArray e) {
        if (s.vertex().isPresent()) {
            GraphVertex v = s.vertex().get();
            INDArray[] in = f.inputsOf(s);
            for (int i = 0; i < in.length; i++) {
                v.setInput(i, in[i], mgr);
            }
            v.setEpsilon(e);
            return v.doBackward(false, mgr).getSecond();
        }
        Layer layer = s.layer().get();
        INDArray back;
        if (s.conf().get() instanceof ActivationLayer a) {
            // DL4J's ActivationLayer overwrote its stored input with its output at inference.
            back = a.getActivationFn().backprop(s.layerInput(f.inputsOf(s), mgr).dup(), e.dup()).getFirst();
        } else if (s.conf().get() instanceof BatchNormalization bn) {
            back = batchNormBackward(bn, layer, s.layerInput(f.inputsOf(s), mgr), e);
        } else {
            back = layer.backpropGradient(e, mgr).getSecond();
        }
        if (s.preprocessor().isPresent()) {
            back = s.preprocessor().get().backprop(back, (int) back.size(0), mgr);
        }
        return new INDArray[] {back};
    }

    /**
     * Inference batch norm: y = γ·(x − μ)/σ + β, σ = √(var + ε), per channel. DL4J's batch norm layer
     * never applies its configured activation function (forward or back), so neither does this.
     */
    private static INDArray batchNormBackward(BatchNormalization conf, Layer layer, INDArray x, INDArray e) {
        INDArray mean = layer.getParam("mean");
        INDArray var;
        if (conf.isUseLogStd()) {
            INDArray std = Transforms.pow(Nd4j.valueArrayOf(layer.getParam("log10stdev").shape(), 10.0, x.dataType()),
                    layer.getParam("log10stdev"), false);
            var = std.mul(std);
        } else {
            var = layer.getParam("var");
        }
        INDArray gamma = conf.isLockGammaBeta() ? Nd4j.valueArrayOf(mean.shape(), conf.getGamma(), x.dataType()) : layer.getParam("gamma");
        INDArray scale = gamma.div(Transforms.sqrt(var.add(conf.getEps()), false));
        long[] bshape = broadcastShape(x, conf, mean.length());
        INDArray s = scale.reshape(bshape);
        return e.mul(s);
    }

    private static long[] broadcastShape(INDArray x, BatchNormalization conf, long channels) {
        if (x.rank() == 4) {
            return conf.getCnn2DFormat() == CNN2DFormat.NHWC ? new long[] {1, 1, 1, channels} : new long[] {1, channels, 1, 1};
        }
        return new long[] {1, channels};
    }

    /** Drops the inputs the layers kept. */
    void clear() {
        steps.forEach(Step::clear);
    }

    /** Whether the layer applies an activation function; DL4J's batch norm ignores the one it is given. */
    static boolean hasOwnActivation(Step s) {
        return s.conf().orElse(null) instanceof BaseLayer b && !(b instanceof BatchNormalization) && b.getActivationFn() != null
                && !(b.getActivationFn() instanceof ActivationIdentity);
    }
}
