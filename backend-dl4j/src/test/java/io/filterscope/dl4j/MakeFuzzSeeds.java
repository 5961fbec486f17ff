package io.filterscope.dl4j;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Writes the seed corpus of {@link Dl4jZipFuzzTest}: the small {@link TestNets} networks, saved by
 * DL4J's own {@code ModelSerializer}, re-packed with uncompressed (STORED) entries so that the
 * fuzzer's byte mutations reach the JSON configuration and the parameter array instead of dying in
 * the inflater. Run once by hand from the module's test class path; the outputs are committed:
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) io.filterscope.dl4j.MakeFuzzSeeds DIR}.
 */
final class MakeFuzzSeeds {
    private MakeFuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Path tmp = Files.createTempDirectory("seeds-");
        // Opens without help: a flat input records its size in a preprocessor.
        stored(TestNets.save(TestNets.chain(CNN2DFormat.NCHW, DataType.FLOAT, true), tmp.resolve("a.zip")), dir.resolve("chain_flat_input.zip"));
        Path nhwc = TestNets.save(TestNets.chain(CNN2DFormat.NHWC, DataType.FLOAT, false), tmp.resolve("b.zip"));
        Dl4jBackend.saveInputShape(nhwc, TestNets.CHANNELS, TestNets.SIZE, TestNets.SIZE);
        stored(nhwc, dir.resolve("chain_nhwc_stored_shape.zip"));
        Path graph = TestNets.save(TestNets.graph(CNN2DFormat.NCHW, DataType.FLOAT), tmp.resolve("c.zip"));
        Dl4jBackend.saveInputShape(graph, TestNets.CHANNELS, TestNets.SIZE, TestNets.SIZE);
        stored(graph, dir.resolve("graph_stored_shape.zip"));
    }

    private static void stored(Path from, Path to) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile());
             OutputStream os = Files.newOutputStream(to);
             ZipOutputStream out = new ZipOutputStream(os)) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(e).readAllBytes();
                ZipEntry s = new ZipEntry(e.getName());
                s.setMethod(ZipEntry.STORED);
                s.setSize(bytes.length);
                s.setCompressedSize(bytes.length);
                CRC32 crc = new CRC32();
                crc.update(bytes);
                s.setCrc(crc.getValue());
                out.putNextEntry(s);
                out.write(bytes);
                out.closeEntry();
            }
        }
    }
}
