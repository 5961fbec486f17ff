package io.filterscope.onnx;

import ai.onnxruntime.OrtException;
import io.filterscope.ErrorKind;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the multi-line messages of protobuf and ONNX Runtime into the one line users see. */
final class Messages {
    private static final int MAX = 200;
    /** ONNX Runtime's prefix: "Error code - ORT_FAIL - message: ". */
    private static final Pattern ORT_CODE = Pattern.compile("^Error code - \\w+ - message: ");
    /** ONNX Runtime's source location, "…/model.cc:192 ", before the C++ function signature. */
    private static final Pattern SOURCE = Pattern.compile("^\\S+\\.(?:cc|cpp|h):\\d+ ");

    /** Terminal colour codes ONNX Runtime's native logger puts around its lines ("ESC[0;93m", "ESC[m"). */
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");

    private Messages() {
    }

    /**
     * What kind of failure ONNX Runtime reports when it will not load a model we could parse: an
     * operator (or operator version) it has no kernel for is {@link ErrorKind#UNSUPPORTED}, anything
     * else means the graph itself is broken.
     */
    static ErrorKind loadFailure(OrtException e) {
        String m = String.valueOf(e.getMessage());
        if (e.getCode() == OrtException.OrtErrorCode.ORT_NOT_IMPLEMENTED || m.contains("No Op registered")
                || m.contains("Could not find an implementation") || m.contains("opset") || m.contains("IR version")) {
            return ErrorKind.UNSUPPORTED;
        }
        return ErrorKind.NOT_A_MODEL;
    }

    /**
     * What kind of failure ONNX Runtime reports while running an input whose shape passed the
     * declared-shape check: a shape ONNX Runtime rejects (a dynamic image too small for a kernel, a
     * size a Reshape cannot take) is {@link ErrorKind#INPUT_SHAPE}; anything else failed inside the runtime.
     */
    static ErrorKind runFailure(OrtException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT || m.contains("shape") || m.contains("dimension")
                || m.contains("size")) {
            return ErrorKind.INPUT_SHAPE;
        }
        return ErrorKind.INFERENCE_FAILED;
    }

    /**
     * The warning when {@code --provider cuda} cannot be had. What to do depends on the ONNX Runtime
     * package on the class path: the CPU package ({@code onnxruntime}) has no CUDA provider at all,
     * so the fix is to build with {@code -Pcuda}; the GPU package ({@code onnxruntime_gpu}, what
     * {@code -Pcuda} gives) has it, and then the CUDA libraries or the GPU are what is missing.
     */
    static String cudaUnavailable(String file, boolean gpuPackage, String cause) {
        String todo = gpuPackage
                ? "this build has ONNX Runtime's GPU package, but CUDA could not start: install CUDA 12 and cuDNN 9"
                        + " and check that a GPU is visible (nvidia-smi)"
                : "this build has ONNX Runtime's CPU package: build with -Pcuda, and install CUDA 12 and cuDNN 9,"
                        + " to use the GPU";
        return file + ": CUDA is not available (" + firstLine(cause) + "); running on the CPU; " + todo;
    }

    static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "no detail";
        }
        s = ANSI.matcher(s).replaceAll("");
        // Any line break ends the line: ONNX Runtime echoes names from the file, which may hold a
        // carriage return (found by OnnxFuzzTest); what control characters remain are escaped.
        int nl = 0;
        while (nl < s.length() && "\n\r\u0085\u2028\u2029".indexOf(s.charAt(nl)) < 0) {
            nl++;
        }
        String line = withoutSourceLocation(s.substring(0, nl).trim());
        line = line.length() > MAX ? line.substring(0, MAX) + "…" : line;
        return TensorData.ExternalData.printable(line);
    }

    /**
     * "…/model.cc:192 onnxruntime::Model::Model(onnx::ModelProto&&, …) Unsupported model IR version"
     * becomes "Unsupported model IR version": the part a user can act on.
     */
    private static String withoutSourceLocation(String line) {
        String rest = ORT_CODE.matcher(line).replaceFirst("");
        Matcher m = SOURCE.matcher(rest);
        if (!m.find()) {
            return rest;
        }
        int open = rest.indexOf('(', m.end());
        if (open < 0) {
            return rest.substring(m.end());
        }
        int depth = 0;
        for (int i = open; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return rest.substring(i + 1).trim();
            }
        }
        return rest;
    }
}
