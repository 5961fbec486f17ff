package io.filterscope.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @Test
    void writesAndReplaces(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("out.bin");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        AtomicFiles.write(f, out -> out.write("second".getBytes(StandardCharsets.UTF_8)));
        assertEquals("second", Files.readString(f));
        assertEquals(List.of(f), list(dir));
    }

    @Test
    void failingWriterLeavesTargetAndNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("keep.txt");
        Files.writeString(f, "original");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> AtomicFiles.write(f, out -> {
            out.write("partial".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals(f + ": cannot write (disk full); choose a writable output folder", e.getMessage());
        assertEquals("original", Files.readString(f));
        assertEquals(List.of(f), list(dir));
    }

    @Test
    void runtimeExceptionFromWriterPassesThroughAndCleansUp(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x.png");
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            throw boom;
        })));
        assertEquals(List.of(), list(dir));
    }

    @Test
    void missingFolderIsReportedOnOneLine(@TempDir Path dir) {
        Path f = dir.resolve("no/such/folder/out.png");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> AtomicFiles.write(f, new byte[1]));
        assertEquals(f + ": cannot write (no such folder); choose a writable output folder", e.getMessage());
    }

    @Test
    void refusesToReplaceAFolder(@TempDir Path dir) throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> AtomicFiles.write(sub, new byte[1]));
        assertTrue(e.getMessage().startsWith(sub + ": cannot write (it is a folder)"), e.getMessage());
        assertTrue(Files.isDirectory(sub));
    }

    @Test
    void outputGetsOrdinaryPermissionsNotThoseOfATempFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("shared.png");
        AtomicFiles.write(f, new byte[] {1});
        Path plain = Files.write(dir.resolve("plain.png"), new byte[] {1});
        if (f.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
        }
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
