package io.filterscope.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import com.google.protobuf.CodedOutputStream;
import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import io.filterscope.onnx.proto.OnnxModel;
import io.filterscope.spi.ExecutionProvider;
import io.filterscope.spi.OpenOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime sessions for one model: the plain model, and rewritten models whose graph outputs
 * include the intermediate tensors asked for. Rewritten sessions are cached by the set of extra
 * outputs, so asking again for the same layers costs one inference, not a new session. Runs borrow
 * a session ({@link #acquire}); one evicted or closed while a run holds it closes when the run ends.
 */
final class Sessions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    /** Each session holds its own copy of the weights in native memory: keep few. */
    private static final int MAX_CACHED = 4;
    /** ONNX Runtime's key for where external data lives when a model comes from memory. */
    private static final String EXTERNAL_FOLDER_KEY = "session.model_external_initializers_file_folder_path";

    private final Path file;
    private final OnnxModel.Model proto;
    /** Where the weights lie in the file, so rewritten models refer to them instead of copying them. */
    private final FileWeights fileWeights;
    private final OpenOptions options;
    private final OrtEnvironment env;
    private final Map<Object, OrtSession> cache = new LinkedHashMap<>(8, 0.75f, true);
    /** How many runs hold each session now. */
    private final Map<OrtSession, Integer> borrowed = new IdentityHashMap<>();
    /** Sessions out of the cache that close when their last run returns them. */
    private final Set<OrtSession> retired = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private ExecutionProvider provider;
    private boolean closed;

    Sessions(Path file, OnnxModel.Model proto, FileWeights fileWeights, OpenOptions options) {
        this.file = file;
        this.proto = proto;
        this.fileWeights = fileWeights;
        this.options = options;
        this.env = environment(file);
        this.provider = options.executionProvider();
    }

    /** Stack for the thread that loads ONNX Runtime's native library (see {@link #environment(Path)}). */
    private static final long LOADER_STACK_BYTES = 64L << 20;

    /**
     * ONNX Runtime's environment; its native library loads here, on the first model opened.
     *
     * <p>Loading the library needs more native stack than a JVM thread has by default (1 MiB on
     * Linux): with a long class path, as when DL4J's jars are on it too, the process died with a
     * segmentation fault and no Java error. The first load therefore runs on a thread of its own
     * with a large stack; later calls find the environment made.
     */
    private static OrtEnvironment environment(Path file) {
        try {
            return ENVIRONMENT.get();
        } catch (LinkageError e) {
            throw nativeLibrary(file, e);
        }
    }

    /**
     * One line naming what did not load and how to get it. ONNX Runtime wraps the cause that names
     * the library ("Native library 'onnxruntime' not found at …", "invalid ELF header") in others
     * without a message.
     */
    static FilterScopeException nativeLibrary(Path file, Throwable e) {
        String detail = null;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                detail = c.getMessage();
            }
        }
        String folder = System.getProperty("onnxruntime.native.path");
        String how = folder != null
                ? "onnxruntime.native.path is set to " + folder + ": point it at a folder holding ONNX Runtime's libraries for this machine ("
                        + System.mapLibraryName("onnxruntime") + " and " + System.mapLibraryName("onnxruntime4j_jni")
                        + " of version " + ortVersion() + "), or remove it to use those inside the onnxruntime jar"
                : "use a platform ONNX Runtime ships for (Linux, macOS, Windows; x64 or arm64), with com.microsoft.onnxruntime:onnxruntime "
                        + ortVersion() + " on the class path";
        return new FilterScopeException(ErrorKind.NATIVE_LIBRARY, file.getFileName() + ": ONNX Runtime's native library could not be loaded on "
                + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + " (" + Messages.firstLine(detail) + "); " + how, e);
    }

    /** The version of the ONNX Runtime jar on the class path, from its manifest: a class literal does not load native code. */
    private static String ortVersion() {
        Package p = OrtEnvironment.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "(the version in this build)" : v;
    }

    private static final com.google.common.base.Supplier<OrtEnvironment> ENVIRONMENT =
            com.google.common.base.Suppliers.memoize(Sessions::loadOnLargeStack);

    private static OrtEnvironment loadOnLargeStack() {
        java.util.concurrent.atomic.AtomicReference<Object> result = new java.util.concurrent.atomic.AtomicReference<>();
        Thread loader = new Thread(null, () -> {
            try {
                result.set(createEnvironment());
            } catch (Throwable t) {
                result.set(t);
            }
        }, "filterscope-onnxruntime-loader", LOADER_STACK_BYTES);
        loader.start();
        boolean interrupted = false;
        while (true) {
            try {
                loader.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;   // loading cannot be abandoned half way; finish, then pass the interrupt on
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Object r = result.get();
        if (r instanceof OrtEnvironment env) {
            return env;
        }
        if (r instanceof Error e) {
            throw e;
        }
        throw r instanceof RuntimeException re ? re : new IllegalStateException("ONNX Runtime did not start", (Throwable) r);
    }

    /** Whether the environment has global thread pools, which sessions without thread counts of their own share. */
    private static volatile boolean globalThreads;

    /**
     * The environment, with one pool of threads for all of FilterScope's sessions. A model has
     * several (the capture, the tail for Ablation-CAM, the gradient graph, dataset examples' peak
     * graph), used in turns; with a pool each, the pool of the session just used spins on while
     * the next one runs: alternating two sessions every 16 batches of the bundled model took 2.4 ms a
     * batch instead of 1.2, and with one shared pool 1.2 (docs/benchmarks.md). Where the application
     * made ONNX Runtime's environment before FilterScope, that one is used and each session keeps its
     * own threads.
     */
    private static OrtEnvironment createEnvironment() throws OrtException {
        try (OrtEnvironment.ThreadingOptions threads = new OrtEnvironment.ThreadingOptions()) {
            OrtEnvironment env = OrtEnvironment.getEnvironment(nativeLogLevel(), "filterscope", threads);
            globalThreads = true;
            return env;
        } catch (IllegalStateException e) {
            LOG.debug("ONNX Runtime's environment was made before FilterScope's: sessions keep threads of their own ({})", e.getMessage());
            return OrtEnvironment.getEnvironment(nativeLogLevel(), "filterscope");
        }
    }

    /**
     * How much ONNX Runtime's native logger prints. It writes straight to the process's stderr, in
     * terminal colours whether or not stderr is a terminal, and whatever it reports that matters
     * (a provider that does not start, a model it rejects) reaches the user as an exception this
     * backend turns into one line. So only fatal messages, unless more log output was asked for
     * ({@code --verbose} sets the log level to info).
     */
    static OrtLoggingLevel nativeLogLevel() {
        return LOG.isInfoEnabled() ? OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING : OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
    }

    /** Whether the ONNX Runtime package on the class path was built with CUDA ({@code onnxruntime_gpu}). */
    static boolean hasCudaProvider() {
        try {
            return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Whether sessions without thread counts of their own share the environment's pool; for tests. */
    static boolean sharesThreads() {
        return globalThreads;
    }

    /** The environment the sessions live in, for creating input tensors. */
    OrtEnvironment environment() {
        return env;
    }

    /** The provider sessions actually run on (CPU after a CUDA fallback). */
    synchronized ExecutionProvider provider() {
        return provider;
    }

    /**
     * A session borrowed for one run. Closing the lease hands it back; a session evicted from the
     * cache (or left by {@link Sessions#close()}) while borrowed is closed when its last lease is, so
     * no thread ever runs a session another thread closed.
     */
    final class Lease implements AutoCloseable {
        private final OrtSession session;
        private boolean returned;

        private Lease(OrtSession session) {
            this.session = session;
        }

        OrtSession session() {
            return session;
        }

        @Override
        public void close() {
            synchronized (Sessions.this) {
                if (!returned) {
                    returned = true;
                    release(session);
                }
            }
        }
    }

    /** Borrows a session whose outputs are the model's own followed by {@code extraOutputs}. */
    synchronized Lease acquire(Collection<String> extraOutputs) {
        if (closed) {
            throw new FilterScopeException(ErrorKind.MODEL_CLOSED, file.getFileName() + ": the model is closed; open it again");
        }
        Set<String> key = new TreeSet<>(extraOutputs);
        OrtSession s = cache.get(key);
        if (s == null) {
            s = create(key, false);
            put(key, s);
        }
        borrowed.merge(s, 1, Integer::sum);
        return new Lease(s);
    }

    /**
     * Borrows the session for a rewritten model known by {@code key}, made by {@code build} the first
     * time (the gradient graphs of {@link Backprop}).
     */
    synchronized Lease acquire(Object key, java.util.function.Supplier<OnnxModel.Model> build) {
        if (closed) {
            throw new FilterScopeException(ErrorKind.MODEL_CLOSED, file.getFileName() + ": the model is closed; open it again");
        }
        OrtSession s = cache.get(key);
        if (s == null) {
            s = createFrom(build.get(), false);
            put(key, s);
        }
        borrowed.merge(s, 1, Integer::sum);
        return new Lease(s);
    }

    private void put(Object key, OrtSession s) {
        cache.put(key, s);
        if (cache.size() > MAX_CACHED) {
            var eldest = cache.entrySet().iterator().next();
            cache.remove(eldest.getKey());
            retire(eldest.getValue());
        }
    }

    /**
     * The static shapes ONNX Runtime infers for {@code tensors} in {@code model} (unknown dimensions
     * as -1), from a throw-away unoptimised session.
     */
    Map<String, long[]> inferShapes(OnnxModel.Model model, Collection<String> tensors) {
        Map<String, long[]> out = new java.util.HashMap<>();
        try (OrtSession probe = createFrom(withOutputs(model, tensors), true)) {
            for (var e : probe.getOutputInfo().entrySet()) {
                if (e.getValue().getInfo() instanceof ai.onnxruntime.TensorInfo ti) {
                    out.put(e.getKey(), ti.getShape());
                }
            }
        } catch (OrtException e) {
            LOG.debug("closing a probe failed", e);
        }
        return out;
    }

    /**
     * The shapes of {@code tensors} as one run of {@code model} on zeros of {@code inputShape} makes
     * them: for the few tensors whose shapes inference leaves open (sizes computed in the graph).
     */
    Map<String, long[]> runShapes(OnnxModel.Model model, Collection<String> tensors, String input, long[] inputShape) {
        Map<String, long[]> out = new java.util.HashMap<>();
        long count = 1;
        for (long d : inputShape) {
            count *= d;
        }
        try (OrtSession s = createFrom(withOutputs(model, tensors), true);
             ai.onnxruntime.OnnxTensor x = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(new float[Math.toIntExact(count)]), inputShape);
             OrtSession.Result r = s.run(Map.of(input, x), new java.util.HashSet<>(tensors))) {
            for (var e : r) {
                if (e.getValue().getInfo() instanceof ai.onnxruntime.TensorInfo ti) {
                    out.put(e.getKey(), ti.getShape());
                }
            }
        } catch (OrtException e) {
            throw new FilterScopeException(Messages.runFailure(e), file.getFileName() + ": the model does not run on zeros of shape "
                    + java.util.Arrays.toString(inputShape) + " (" + Messages.firstLine(e.getMessage()) + ")", e);
        }
        return out;
    }

    private void release(OrtSession s) {
        int left = borrowed.merge(s, -1, Integer::sum);
        if (left <= 0) {
            borrowed.remove(s);
            if (retired.remove(s)) {
                closeQuietly(s);
            }
        }
    }

    /** Closes a session that left the cache now, or when its last lease is returned. */
    private void retire(OrtSession s) {
        if (borrowed.containsKey(s)) {
            retired.add(s);
        } else {
            closeQuietly(s);
        }
    }

    /**
     * A throw-away session over every tensor in {@code outputs}, built without optimisation, used only
     * to read the shapes ONNX Runtime infers for them.
     */
    OrtSession probe(Collection<String> outputs) {
        return create(new TreeSet<>(outputs), true);
    }

    private OrtSession create(Set<String> extra, boolean probe) {
        if (extra.isEmpty()) {
            return createFrom(null, probe);
        }
        return createFrom(withOutputs(proto, extra), probe);
    }

    /** A session over {@code model}, or over the file itself when {@code model} is null. */
    private OrtSession createFrom(OnnxModel.Model model, boolean probe) {
        try (SessionOptions opts = sessionOptions(probe)) {
            if (model == null) {
                return env.createSession(file.toString(), opts);
            }
            String folder = file.toAbsolutePath().normalize().getParent().toString();
            opts.addConfigEntry(EXTERNAL_FOLDER_KEY, folder);
            // The weights stay in the model file: the rewritten graph refers to them there (external
            // data at their offsets in the file), so no model-sized copy is made for ONNX Runtime.
            ByteBuffer bytes = serialise(fileWeights.referencing(model));
            try {
                return env.createSession(bytes, opts);
            } finally {
                // ONNX Runtime parses the bytes into its own graph, so they are garbage once the
                // session exists; freed now, not when the collector runs. Left to the collector, one
                // model-sized buffer per session piled up: 1,000 open/capture/close cycles of a
                // 0.4 MB model took RSS from 334 to 956 MB (docs/benchmarks.md).
                free(bytes);
            }
        } catch (OrtException e) {
            if (provider == ExecutionProvider.CUDA && !probe) {
                LOG.warn("{}: the CUDA session could not start ({}); running on the CPU", file.getFileName(), Messages.firstLine(e.getMessage()));
                provider = ExecutionProvider.CPU;
                return createFrom(model, false);
            }
            throw new FilterScopeException(Messages.loadFailure(e), file + ": ONNX Runtime cannot load the model (" + Messages.firstLine(e.getMessage())
                    + "); check that it opens in onnxruntime, or export it with a lower opset", e);
        }
    }

    /** {@code rewritten} serialised off-heap. */
    private static ByteBuffer serialise(OnnxModel.Model rewritten) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(rewritten.getSerializedSize());
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(buffer);
            rewritten.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("serialising into a sized buffer failed", e);
        }
        buffer.flip();
        return buffer;
    }

    /**
     * Releases a direct buffer's memory at once ({@code sun.misc.Unsafe.invokeCleaner}, in the
     * jdk.unsupported module every JDK ships); where that is not available it stays with the
     * garbage collector, as before.
     */
    static void free(ByteBuffer direct) {
        java.lang.invoke.MethodHandle cleaner = CLEANER.get();
        if (cleaner == null) {
            return;
        }
        try {
            cleaner.invoke(direct);
        } catch (Throwable e) {
            LOG.debug("direct buffer left to the garbage collector: {}", e.toString());
        }
    }

    /** {@code invokeCleaner} bound to the Unsafe instance, looked up once: every capture frees its input copy. */
    private static final com.google.common.base.Supplier<java.lang.invoke.MethodHandle> CLEANER =
            com.google.common.base.Suppliers.memoize(() -> {
                try {
                    Class<?> type = Class.forName("sun.misc.Unsafe");
                    java.lang.reflect.Field f = type.getDeclaredField("theUnsafe");
                    f.setAccessible(true);
                    return java.lang.invoke.MethodHandles.lookup()
                            .unreflect(type.getMethod("invokeCleaner", ByteBuffer.class)).bindTo(f.get(null));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    LOG.debug("direct buffers are left to the garbage collector: {}", e.toString());
                    return null;
                }
            });

    /** {@code proto} with {@code extra} appended to its graph outputs; everything else, unknown fields too, kept. */
    static OnnxModel.Model withOutputs(OnnxModel.Model proto, Collection<String> extra) {
        OnnxModel.Graph.Builder g = proto.getGraph().toBuilder();
        Set<String> present = new TreeSet<>();
        g.getOutputList().forEach(o -> present.add(o.getName()));
        for (String name : extra) {
            if (present.add(name)) {
                // No type: ONNX Runtime infers it, as it does for any graph output.
                g.addOutput(OnnxModel.ValueInfo.newBuilder().setName(name));
            }
        }
        return proto.toBuilder().setGraph(g).build();
    }

    /** How many rewritten sessions are cached; for tests of the cache. */
    synchronized int cachedSessions() {
        return cache.size();
    }

    private SessionOptions sessionOptions(boolean probe) throws OrtException {
        SessionOptions opts = new SessionOptions();
        if (probe) {
            opts.setOptimizationLevel(SessionOptions.OptLevel.NO_OPT);
        }
        if (globalThreads && options.intraOpThreads() == 0 && options.interOpThreads() == 0) {
            // Thread counts asked for are the session's own; otherwise the environment's shared pool.
            opts.disablePerSessionThreads();
        }
        if (options.intraOpThreads() > 0) {
            opts.setIntraOpNumThreads(options.intraOpThreads());
        }
        if (options.interOpThreads() > 0) {
            opts.setInterOpNumThreads(options.interOpThreads());
        }
        if (provider == ExecutionProvider.CUDA && !probe) {
            try {
                opts.addCUDA(0);
            } catch (OrtException | RuntimeException | LinkageError e) {
                LOG.warn(Messages.cudaUnavailable(file.getFileName().toString(), hasCudaProvider(), e.getMessage()));
                provider = ExecutionProvider.CPU;
            }
        }
        return opts;
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException e) {
            LOG.debug("closing a session failed", e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        cache.values().forEach(this::retire);
        cache.clear();
    }
}
