package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MessagesTest {
    @Test
    void onnxRuntimeSourceLocationsAreDropped() {
        // The form ONNX Runtime 1.29 uses, as seen from its Java API.
        String ort = "Error code - ORT_FAIL - message: /onnxruntime_src/onnxruntime/core/graph/model.cc:192 "
                + "onnxruntime::Model::Model(onnx::ModelProto&&, const onnxruntime::PathString&, const std::vector<int>&) "
                + "Unsupported model IR version: 99, max supported IR version: 11\nstack...";
        assertEquals("Unsupported model IR version: 99, max supported IR version: 11", Messages.firstLine(ort));
    }

    @Test
    void otherMessagesKeepTheirFirstLine() {
        assertEquals("While parsing a protocol message, the input ended unexpectedly.",
                Messages.firstLine("While parsing a protocol message, the input ended unexpectedly.\nmore"));
        assertEquals("no detail", Messages.firstLine(null));
    }
}
