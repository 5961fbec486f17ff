package io.filterscope.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        // Found by OnnxFuzzTest (crash-ort-message-with-carriage-return): ONNX Runtime echoes names from
        // the file, and a carriage return in one split the CLI's one line.
        assertEquals("In Node, (\"deconv", Messages.firstLine("In Node, (\"deconv\rConvTranspose\nmore"));
        assertEquals("name a\\u0007b", Messages.firstLine("name a\u0007b"));
    }

    @Test
    void terminalColourCodesAreDropped() {
        assertEquals("Failed to load library libonnxruntime_providers_cuda.so",
                Messages.firstLine("\u001B[1;31mFailed to load library libonnxruntime_providers_cuda.so\u001B[m\nmore"));
    }

    @Test
    void cudaAdviceDependsOnThePackage() {
        String cpu = Messages.cudaUnavailable("m.onnx", false, "CUDA is not supported in this build");
        assertTrue(cpu.startsWith("m.onnx: CUDA is not available (CUDA is not supported in this build); running on the CPU"), cpu);
        assertTrue(cpu.contains("build with -Pcuda"), cpu);
        String gpu = Messages.cudaUnavailable("m.onnx", true, "\u001B[1;31mlibcudart.so.12: cannot open shared object file\u001B[m");
        assertFalse(gpu.contains("-Pcuda"), gpu);
        assertTrue(gpu.contains("GPU package") && gpu.contains("install CUDA 12 and cuDNN 9"), gpu);
        assertTrue(gpu.contains("(libcudart.so.12: cannot open shared object file)"), gpu);
        assertFalse(gpu.contains("\u001B") || gpu.contains("[m"), gpu);
    }

    @Test
    void theCudaProviderIsThereExactlyWhenTheGpuPackageIs() {
        // The GPU package carries the CUDA provider library; the CPU package does not.
        boolean gpuJar = Thread.currentThread().getContextClassLoader()
                .getResource("ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so") != null;
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux")
                && System.getProperty("os.arch").equals("amd64"));
        assertEquals(gpuJar, Sessions.hasCudaProvider());
    }
}
