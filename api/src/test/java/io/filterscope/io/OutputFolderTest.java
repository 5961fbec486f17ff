package io.filterscope.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.filterscope.FilterScopeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFolderTest {

    @Test
    void createsMissingFoldersAndWritesAtomically(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("a/b/out");
        OutputFolder folder = OutputFolder.prepare(out, List.of());
        assertTrue(Files.isDirectory(out));
        assertEquals(List.of(), AtomicFilesTest.list(out), "the write probe is removed");
        folder.write("maps.png", new byte[] {7});
        folder.write("conv1/filters.png", new byte[] {8});
        assertEquals(7, Files.readAllBytes(out.resolve("maps.png"))[0]);
        assertEquals(8, Files.readAllBytes(out.resolve("conv1/filters.png"))[0]);
    }

    @Test
    void refusesToOverwriteAnInput(@TempDir Path dir) throws IOException {
        Path image = Files.write(dir.resolve("cat.png"), new byte[] {1});
        OutputFolder folder = OutputFolder.prepare(dir, List.of(image));
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> folder.resolve("cat.png"));
        assertTrue(e.getMessage().contains("is one of the inputs"), e.getMessage());
        assertThrows(FilterScopeException.class, () -> folder.write("./cat.png", new byte[] {2}));
        assertEquals(1, Files.readAllBytes(image)[0], "the input is untouched");
        assertEquals(dir.resolve("dog.png").toAbsolutePath(), folder.resolve("dog.png"));
    }

    @Test
    void refusesAnInputReachedThroughALinkOrAnotherSpelling(@TempDir Path dir) throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path image = Files.write(real.resolve("in.png"), new byte[] {1});
        Path link;
        try {
            link = Files.createSymbolicLink(dir.resolve("link"), real);
        } catch (UnsupportedOperationException | IOException e) {
            return; // no symbolic links on this file system
        }
        OutputFolder viaLink = OutputFolder.prepare(link, List.of(image));
        assertThrows(FilterScopeException.class, () -> viaLink.resolve("in.png"));
        OutputFolder spelled = OutputFolder.prepare(real, List.of(link.resolve("../real/in.png")));
        assertThrows(FilterScopeException.class, () -> spelled.resolve("in.png"));
    }

    @Test
    void refusesNamesThatLeaveTheFolder(@TempDir Path dir) {
        OutputFolder folder = OutputFolder.prepare(dir.resolve("out"), List.of());
        for (String name : new String[] {"../x.png", "a/../../x.png", "/tmp/x.png", "", "  ", ".", "a/.."}) {
            assertThrows(FilterScopeException.class, () -> folder.resolve(name), name);
        }
        assertFalse(Files.exists(dir.resolve("x.png")));
    }

    @Test
    void aFileInTheWayIsReportedAndNothingIsCreated(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("taken"), new byte[] {1});
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> OutputFolder.prepare(file, List.of()));
        assertEquals(file + ": is a file, not a folder; choose an output folder", e.getMessage());
        FilterScopeException nested = assertThrows(FilterScopeException.class, () -> OutputFolder.prepare(file.resolve("sub"), List.of()));
        assertTrue(nested.getMessage().startsWith(file.resolve("sub") + ": cannot create or write the output folder"), nested.getMessage());
        assertEquals(List.of(file), AtomicFilesTest.list(dir));
    }

    @Test
    void failureHalfwayRemovesTheFoldersItCreated(@TempDir Path dir) throws IOException {
        // The first level can be created, the second cannot (a name longer than any file system allows).
        Path out = dir.resolve("new").resolve("x".repeat(300)).resolve("deeper");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> OutputFolder.prepare(out, List.of()));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().endsWith("; choose a writable output folder"), e.getMessage());
        assertEquals(List.of(), AtomicFilesTest.list(dir), "the created 'new' folder was removed");
    }
}
