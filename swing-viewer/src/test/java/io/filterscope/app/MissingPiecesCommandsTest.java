package io.filterscope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.app.FreshJvm.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Missing pieces at run time through the command line. The application jar holds both backends, so a
 * user meets a missing backend only with a class path of their own (a host that added one backend's
 * jar and runs {@code io.filterscope.app.Main}): here a fresh JVM whose class path lacks the backend's
 * module. And CUDA asked for on a build without it: a warning on the process's stderr (logged through
 * SLF4J, which only a real process shows), then the run goes on the CPU.
 */
class MissingPiecesCommandsTest {
    private static final Path FASHION = HostileFiles.FASHION;

    @TempDir
    Path tmp;

    private static String withoutDl4j() {
        return FreshJvm.classPathWithout(FreshJvm.module("backend-dl4j", "filterscope-backend-dl4j"), 1, "the DL4J backend");
    }

    @Test
    void theBackendJarAFileNeedsIsNotOnTheClassPath() throws Exception {
        Path keras = Files.copy(FASHION.resolve("fashion_cnn_keras.keras"), tmp.resolve("net.keras"));
        Run r = FreshJvm.filterscope(withoutDl4j(), List.of(), "info", keras.toString());
        assertEquals(2, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        String line = r.oneLine();
        assertTrue(line.startsWith("net.keras: no installed backend reads this file; installed: onnx ("), line);
        assertTrue(line.contains("add io.filterscope:filterscope-backend-dl4j to the class path"), line);
    }

    @Test
    void aBackendAskedByIdThatIsNotInstalled() throws Exception {
        Run r = FreshJvm.filterscope(withoutDl4j(), List.of(), "info", FASHION.resolve("fashion_cnn.onnx").toString(), "--backend", "dl4j");
        assertEquals(2, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        String line = r.oneLine();
        assertTrue(line.contains("no backend 'dl4j'; installed: onnx (") && line.contains("add io.filterscope:filterscope-backend-dl4j"), line);
    }

    @Test
    void noBackendAtAll() throws Exception {
        String none = FreshJvm.classPathWithout(FreshJvm.module("backend-dl4j", "filterscope-backend-dl4j")
                .or(FreshJvm.module("backend-onnx", "filterscope-backend-onnx")), 2, "both backends");
        Path model = FASHION.resolve("fashion_cnn.onnx");
        Run r = FreshJvm.filterscope(none, List.of(), "info", model.toString());
        assertEquals(2, r.code(), r::toString);
        assertEquals("", r.out(), r::toString);
        String line = r.oneLine();
        assertTrue(line.contains("fashion_cnn.onnx: no FilterScope backend is installed; add io.filterscope:filterscope-backend-onnx"), line);
    }

    /** This build has ONNX Runtime's CPU package: CUDA is a warning naming what to do, and the same predictions as on the CPU. */
    @Test
    void cudaWithoutCudaWarnsAndRunsOnTheCpu() throws Exception {
        String model = FASHION.resolve("fashion_cnn.onnx").toString();
        String image = FASHION.resolve("images/9-ankle-boot.png").toString();
        String labels = FASHION.resolve("labels.txt").toString();
        Run cuda = FreshJvm.filterscope(FreshJvm.classPath(), List.of(), "predict", model, "--image", image, "--labels", labels,
                "--provider", "cuda");
        Cli.Result cpu = Cli.run("predict", model, "--image", image, "--labels", labels);
        assertEquals(0, cuda.code(), cuda::toString);
        assertEquals(0, cpu.code(), cpu::toString);
        assertEquals(cpu.out(), cuda.out(), "the same predictions as on the CPU");
        List<String> warnings = cuda.errLines().stream().filter(l -> l.contains("CUDA is not available")).toList();
        assertEquals(1, warnings.size(), cuda::toString);
        assertTrue(warnings.get(0).contains("fashion_cnn.onnx: CUDA is not available (") && warnings.get(0).contains("); running on the CPU; "),
                warnings.get(0));
        assertTrue(!cuda.err().contains("Exception") && !cuda.err().contains("\tat "), cuda::toString);
    }
}
