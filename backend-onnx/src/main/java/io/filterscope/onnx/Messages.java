package io.filterscope.onnx;

/** Turns the multi-line messages of protobuf and ONNX Runtime into the one line users see. */
final class Messages {
    private static final int MAX = 200;

    private Messages() {
    }

    static String firstLine(String s) {
        if (s == null || s.isBlank()) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).trim();
        return line.length() > MAX ? line.substring(0, MAX) + "…" : line;
    }
}
