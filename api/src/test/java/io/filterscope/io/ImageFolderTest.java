package io.filterscope.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.filterscope.FilterScopeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder's images in the order of their relative paths, written with '/', whatever the listing order. */
class ImageFolderTest {

    @Test
    void imagesInSubfoldersComeInTheOrderOfTheirRelativePaths(@TempDir Path dir) throws Exception {
        for (String f : List.of("b.png", "a0.JPG", "a/z.bmp", "a/b/c.gif", "notes.txt", ".DS_Store", "c.jpeg", "a/readme.md")) {
            Path p = dir.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "x");
        }
        ImageFolder folder = ImageFolder.of(dir);
        // '/' sorts before '0' and letters: a folder's files come before a0.JPG.
        assertEquals(List.of("a/b/c.gif", "a/z.bmp", "a0.JPG", "b.png", "c.jpeg"), folder.files().stream().map(folder::name).toList());
        assertEquals(5, folder.size());
        assertEquals(dir.resolve("a/b/c.gif"), folder.files().get(0));
    }

    @Test
    void aFolderWithoutImagesIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "x");
        FilterScopeException e = assertThrows(FilterScopeException.class, () -> ImageFolder.of(dir));
        assertEquals(true, e.getMessage().startsWith(dir + ": holds no images"), e.getMessage());
    }
}
