package io.filterscope.onnx;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the multi-line messages of protobuf and ONNX Runtime into the one line users see. */
final class Messages {
    private static final int MAX = 200;
    /** ONNX Runtime's prefix: "Error code - ORT_FAIL - message: ". */
    private static final Pattern ORT_CODE = Pattern.compile("^Error code - \\w+ - message: ");
    /** ONNX Runtime's source location, "…/model.cc:192 ", before the C++ function signature. */
    private static final Pattern SOURCE = Pattern.compile("^\\S+\\.(?:cc|cpp|h):\\d+ ");

    private Messages() {
    }

    static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        String line = withoutSourceLocation((nl < 0 ? s : s.substring(0, nl)).trim());
        return line.length() > MAX ? line.substring(0, MAX) + "…" : line;
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
