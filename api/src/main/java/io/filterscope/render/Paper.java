package io.filterscope.render;

/**
 * What a grid is drawn on: the colour around and between the tiles, and the colour of its text
 * (caption, labels, colour-bar values). White paper and black ink unless asked otherwise; the viewer
 * draws on its dark theme's colours, so a saved view is what the screen showed.
 *
 * @param background the background as 0xRRGGBB
 * @param ink        the text colour as 0xRRGGBB
 */
public record Paper(int background, int ink) {
    /** White paper, black ink: what the command line and the api draw by default. */
    public static final Paper WHITE = new Paper(0xFFFFFF, 0x000000);

    public Paper {
        background &= 0xFFFFFF;
        ink &= 0xFFFFFF;
    }
}
