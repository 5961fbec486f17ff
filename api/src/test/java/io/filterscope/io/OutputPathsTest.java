package io.filterscope.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import io.filterscope.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File names made from layer names (which come from the model file) never leave the output folder. */
class OutputPathsTest {

    @Test
    void layerNamesThatLookLikePathsBecomePlainNames() {
        for (String hostile : List.of("../../etc/passwd", "/etc/passwd", "..", ".", "", "a/../../b", "C:\\\\Windows\\\\x", "\u0000",
                "x\ny", "~/.ssh/authorized_keys", "..\\\\..\\\\boot.ini")) {
            String s = Names.sanitize(hostile);
            assertTrue(s.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*"), hostile + " -> " + s);
            Path dir = Path.of("/out");
            assertEquals(dir, dir.resolve(s).normalize().getParent(), hostile + " -> " + s);
        }
        assertEquals("conv1", Names.sanitize("conv1"));
        assertEquals("features.0_Conv2d", Names.sanitize("features.0/Conv2d"));
    }

    /** A 10,000-character name would fail with "file name too long"; two such names must not collide. */
    @Test
    void veryLongNamesAreShortenedAndStayDistinct() {
        String a = "layer_" + "x".repeat(10_000) + "_a";
        String b = "layer_" + "x".repeat(10_000) + "_b";
        assertEquals(Names.MAX_FILE_NAME, Names.sanitize(a).length());
        assertFalse(Names.sanitize(a).equals(Names.sanitize(b)));
        Set<String> many = Stream.of(a, b, a + "c", b + "c").map(Names::sanitize).collect(Collectors.toSet());
        assertEquals(4, many.size());
    }

    @Test
    void aWrittenFileWithAVeryLongLayerNameLandsInTheFolder(@TempDir Path dir) throws IOException {
        OutputFolder out = OutputFolder.prepare(dir.resolve("out"), List.of());
        String name = Names.sanitize("/".repeat(50) + "n".repeat(5000)) + ".activations.png";
        out.write(name, new byte[] {1});
        try (Stream<Path> files = Files.list(dir.resolve("out"))) {
            assertEquals(List.of(dir.resolve("out").resolve(name)), files.toList());
        }
    }

    /** A sub-folder of the output folder that is a link to elsewhere is not written through. */
    @Test
    void aSubFolderThatLinksOutIsRefused(@TempDir Path dir) throws IOException {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path outDir = Files.createDirectories(dir.resolve("out"));
        Files.createSymbolicLink(outDir.resolve("conv1"), elsewhere);
        OutputFolder out = OutputFolder.prepare(outDir, List.of());
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> out.write("conv1/maps.png", new byte[] {1}));
        assertTrue(e.getMessage().contains("leads outside") && e.getMessage().contains("through a link"), e.getMessage());
        try (Stream<Path> files = Files.list(elsewhere)) {
            assertEquals(0, files.count());
        }
    }

    /** An existing link in the folder named like an output is replaced, not written through. */
    @Test
    void anExistingLinkNamedLikeAnOutputIsReplacedNotFollowed(@TempDir Path dir) throws IOException {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "precious");
        Path outDir = Files.createDirectories(dir.resolve("out"));
        Files.createSymbolicLink(outDir.resolve("conv1.png"), victim);
        OutputFolder.prepare(outDir, List.of()).write("conv1.png", new byte[] {42});
        assertEquals("precious", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(outDir.resolve("conv1.png")));
    }
}
