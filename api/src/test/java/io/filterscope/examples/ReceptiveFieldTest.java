package io.filterscope.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Composition and clipping of receptive fields (the model walk is tested on real models in the application's tests). */
class ReceptiveFieldTest {

    private static ReceptiveField conv(ReceptiveField rf, int k, int s, int p, int d) {
        return rf.then(new int[] {k, k}, new int[] {s, s}, new int[] {p, p}, new int[] {d, d}, true, "");
    }

    @Test
    void vggLikeStackGrowsAsTheTextbookSays() {
        // 3×3/1 pad 1, 2×2/2 pool, 3×3/1 pad 1: size 3, 4, 8; jump 1, 2, 2; first row −1, −1, −3.
        ReceptiveField rf = conv(ReceptiveField.identity(), 3, 1, 1, 1);
        assertEquals(new ReceptiveField(3, 3, 1, 1, -1, -1, true, false, ""), rf);
        rf = conv(rf, 2, 2, 0, 1);
        assertEquals(4, rf.sizeY());
        assertEquals(2, rf.jumpY());
        assertEquals(-1, rf.offsetY());
        rf = conv(rf, 3, 1, 1, 1);
        assertEquals(8, rf.sizeY());
        assertEquals(2, rf.jumpY());
        assertEquals(-3, rf.offsetY());
        assertEquals(new Patch(0, 0, 5, 5), rf.patch(0, 0, 28, 28));
        assertEquals(new Patch(3, 5, 11, 13), rf.patch(3, 4, 28, 28));
        assertEquals(new Patch(23, 23, 28, 28), rf.patch(13, 13, 28, 28));
    }

    @Test
    void dilationAndStrideOfResNetStem() {
        // 7×7/2 pad 3, then 3×3/2 pad 1 max pool: size 11, jump 4, first −5.
        ReceptiveField rf = conv(conv(ReceptiveField.identity(), 7, 2, 3, 1), 3, 2, 1, 1);
        assertEquals(11, rf.sizeX());
        assertEquals(4, rf.jumpX());
        assertEquals(-5, rf.offsetX());
        // A dilated 3×3 (d = 2) spans 5.
        assertEquals(5, conv(ReceptiveField.identity(), 3, 1, 2, 2).sizeY());
    }

    @Test
    void wholeInputWhenUnknown() {
        ReceptiveField rf = ReceptiveField.wholeInput("why");
        assertEquals(new Patch(0, 0, 224, 200), rf.patch(5, 7, 224, 200));
        assertEquals(rf, conv(rf, 3, 1, 1, 1));
    }
}
