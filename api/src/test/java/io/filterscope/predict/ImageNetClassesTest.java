package io.filterscope.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageNetClassesTest {
    @Test
    void torchvisionsThousandNamesInIndexOrder() {
        List<String> n = ImageNetClasses.names();
        assertEquals(1000, n.size());
        // Spot checks against torchvision's list (ResNet18_Weights.IMAGENET1K_V1.meta["categories"]).
        assertEquals("tench", n.get(0));
        assertEquals("goldfish", n.get(1));
        assertEquals("wreck", n.get(913));
        assertEquals("toilet tissue", n.get(999));
        assertTrue(n.stream().noneMatch(String::isBlank));
        // torchvision's list gives every class its own name (it tells the two "crane"s apart).
        assertEquals(1000, new HashSet<>(n).size());
    }

    @Test
    void onlyForAThousandClasses() {
        assertEquals(ImageNetClasses.names(), ImageNetClasses.forClasses(1000).orElseThrow());
        assertTrue(ImageNetClasses.forClasses(10).isEmpty());
        assertTrue(ImageNetClasses.forClasses(1001).isEmpty());
    }
}
