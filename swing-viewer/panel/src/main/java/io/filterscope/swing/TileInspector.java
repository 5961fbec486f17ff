package io.filterscope.swing;

import io.filterscope.render.RenderedGrid;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.RenderingHints;
import java.awt.Window;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.awt.image.BufferedImage;
import java.util.Optional;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JDialog;
import javax.swing.JLabel;
import javax.swing.JPanel;

/**
 * One tile enlarged in its own window, with the value under the pointer read out. The picture is
 * the tile's own pixels from the grid, scaled up by an integer factor so every value stays a square.
 */
final class TileInspector extends JDialog {
    /** The enlarged tile is about this many pixels along its longer side. */
    private static final int TARGET = 384;

    private final Enlarged picture;
    static final String HINT = "Point at a value to read it";
    private final JLabel readout = new JLabel(HINT);

    /** The button that shows what excites the tile's channel, when the window offers it; for tests. */
    final JButton excite = new JButton("What excites this channel");

    TileInspector(Window owner, ShownGrid grid, RenderedGrid.Tile tile) {
        this(owner, grid, tile, Optional.empty());
    }

    /** @param whatExcites when present, a button under the picture runs it: the "What excites it" tab for the tile's channel */
    TileInspector(Window owner, ShownGrid grid, RenderedGrid.Tile tile, Optional<Runnable> whatExcites) {
        super(owner, grid.layer() + " — " + grid.values().name(tile), ModalityType.MODELESS);
        picture = new Enlarged(grid, tile);
        JLabel stats = new JLabel(ShownGrid.describe(grid.values().stats(tile)));
        JPanel south = new JPanel(new BorderLayout());
        south.setBorder(BorderFactory.createEmptyBorder(6, 8, 6, 8));
        south.add(stats, BorderLayout.NORTH);
        south.add(readout, BorderLayout.SOUTH);
        excite.setName("inspector-what-excites");
        excite.setToolTipText("Find the image that excites this channel most (the \"What excites it\" tab)");
        whatExcites.ifPresent(action -> {
            excite.addActionListener(e -> action.run());
            south.add(excite, BorderLayout.EAST);
        });
        getContentPane().add(picture, BorderLayout.CENTER);
        getContentPane().add(south, BorderLayout.SOUTH);
        MouseAdapter pointer = new MouseAdapter() {
            @Override
            public void mouseMoved(MouseEvent e) {
                readOut(e);
            }

            @Override
            public void mouseDragged(MouseEvent e) {
                readOut(e);
            }

            // The window opens where the person clicked, often right under a pointer that then does
            // not move: the enter event is all there is, and it must read out the value too.
            @Override
            public void mouseEntered(MouseEvent e) {
                readOut(e);
            }

            @Override
            public void mouseExited(MouseEvent e) {
                readout.setText(HINT);
            }
        };
        picture.addMouseMotionListener(pointer);
        picture.addMouseListener(pointer);
        setDefaultCloseOperation(DISPOSE_ON_CLOSE);
        pack();
        setLocationRelativeTo(owner);
    }

    private void readOut(MouseEvent e) {
        readout.setText(valueTextAt(e.getPoint()).orElse(HINT));
    }

    /** "row r, column c: value" for a point of the enlarged picture; empty outside the tile. */
    Optional<String> valueTextAt(Point p) {
        return picture.cellAt(p).map(rc -> "row " + rc[0] + ", column " + rc[1] + ": "
                + picture.grid.values().valueAt(picture.tile, rc[0], rc[1]));
    }

    /** The enlarged picture component, for tests. */
    JComponent picture() {
        return picture;
    }

    /** How many screen pixels one value cell takes. */
    int cellSize() {
        return picture.cell;
    }

    String readoutText() {
        return readout.getText();
    }

    private static final class Enlarged extends JComponent {
        final ShownGrid grid;
        final RenderedGrid.Tile tile;
        final BufferedImage pixels;
        final int cell;

        Enlarged(ShownGrid grid, RenderedGrid.Tile tile) {
            this.grid = grid;
            this.tile = tile;
            this.pixels = grid.region(new java.awt.Rectangle(tile.x(), tile.y(), tile.width(), tile.height()));
            this.cell = Math.max(1, TARGET / Math.max(tile.rows(), tile.columns()));
            setPreferredSize(new Dimension(tile.columns() * cell, tile.rows() * cell));
        }

        Optional<int[]> cellAt(Point p) {
            int r = p.y / cell;
            int c = p.x / cell;
            if (p.x < 0 || p.y < 0 || r >= tile.rows() || c >= tile.columns()) {
                return Optional.empty();
            }
            return Optional.of(new int[] {r, c});
        }

        @Override
        protected void paintComponent(Graphics g) {
            Graphics2D g2 = (Graphics2D) g.create();
            g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            // The tile's pixels hold each value scale × scale times; drawing them to cell-sized
            // squares keeps one flat square per value.
            g2.drawImage(pixels, 0, 0, tile.columns() * cell, tile.rows() * cell, null);
            g2.dispose();
        }
    }
}
