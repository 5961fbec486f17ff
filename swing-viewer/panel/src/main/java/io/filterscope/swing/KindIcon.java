package io.filterscope.swing;

import io.filterscope.model.LayerKind;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Component;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.util.EnumMap;
import java.util.Map;
import javax.swing.Icon;

/**
 * A small painted picture of a layer's kind: a kernel grid for convolutions, a funnel for pooling,
 * a ReLU hinge for activations, a bell for normalisation, connected dots for dense layers. Painted
 * as vector shapes, so it is sharp at any screen scale; the colours are mid-tones that read on light
 * and dark themes alike.
 */
final class KindIcon implements Icon {
    static final int SIZE = 16;
    private static final Map<LayerKind, KindIcon> ICONS = new EnumMap<>(LayerKind.class);

    private final LayerKind kind;

    private KindIcon(LayerKind kind) {
        this.kind = kind;
    }

    static KindIcon of(LayerKind kind) {
        return ICONS.computeIfAbsent(kind, KindIcon::new);
    }

    LayerKind kind() {
        return kind;
    }

    static Color colour(LayerKind kind) {
        return switch (kind) {
            case CONV, GROUPED_CONV, TRANSPOSED_CONV -> new Color(0x3b82f6);
            case POOLING -> new Color(0x10a37f);
            case ACTIVATION -> new Color(0xe8833a);
            case NORMALIZATION -> new Color(0xa855f7);
            case DENSE -> new Color(0xd9467a);
            case OTHER -> new Color(0x8a8f98);
        };
    }

    @Override
    public void paintIcon(Component c, Graphics g, int x, int y) {
        Graphics2D g2 = (Graphics2D) g.create();
        g2.translate(x, y);
        g2.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g2.setColor(colour(kind));
        g2.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        switch (kind) {
            case CONV, GROUPED_CONV, TRANSPOSED_CONV -> {
                for (int r = 0; r < 3; r++) {
                    for (int k = 0; k < 3; k++) {
                        g2.fillRect(2 + k * 4, 2 + r * 4, 3, 3);
                    }
                }
                if (kind == LayerKind.GROUPED_CONV) {
                    g2.setColor(c != null ? c.getBackground() : Color.WHITE);
                    g2.fillRect(6, 2, 3, 3);
                    g2.fillRect(10, 2, 3, 7);
                    g2.fillRect(2, 10, 7, 3);
                    g2.fillRect(2, 6, 3, 3);
                } else if (kind == LayerKind.TRANSPOSED_CONV) {
                    g2.drawRect(0, 0, 15, 15);
                }
            }
            case POOLING -> {
                g2.drawPolygon(new int[] {2, 14, 10, 6}, new int[] {3, 3, 13, 13}, 4);
            }
            case ACTIVATION -> g2.drawPolyline(new int[] {1, 8, 15}, new int[] {12, 12, 3}, 3);
            case NORMALIZATION -> {
                int[] xs = new int[15];
                int[] ys = new int[15];
                for (int i = 0; i < 15; i++) {
                    double t = (i - 7) / 3.0;
                    xs[i] = 1 + i;
                    ys[i] = (int) Math.round(13 - 10 * Math.exp(-t * t / 2));
                }
                g2.drawPolyline(xs, ys, xs.length);
            }
            case DENSE -> {
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 2; b++) {
                        g2.drawLine(3, 3 + a * 5, 13, 5 + b * 6);
                    }
                }
                for (int a = 0; a < 3; a++) {
                    g2.fillOval(1, 1 + a * 5, 4, 4);
                }
                for (int b = 0; b < 2; b++) {
                    g2.fillOval(11, 3 + b * 6, 4, 4);
                }
            }
            case OTHER -> g2.drawOval(3, 3, 10, 10);
        }
        g2.dispose();
    }

    @Override
    public int getIconWidth() {
        return SIZE;
    }

    @Override
    public int getIconHeight() {
        return SIZE;
    }
}
